using BenchmarkDotNet.Attributes;
using Quids.Network.Security.Noise;

namespace Quids.Network.Benchmarks.Engines;

/// <summary>Encrypts then decrypts one Noise transport frame in place, as the secure channel's loops do.</summary>
[MemoryDiagnoser]
public class NoiseBenchmarks : IDisposable
{
    private readonly NoiseCipherState _send = new();
    private readonly NoiseCipherState _receive = new();
    private byte[] _frame = [];

    [Params(64, NoiseProtocol.MaxPlaintextPerFrame)]
    public int PlaintextBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = new byte[NoiseCipherState.KeyLength];
        key[0] = 1;
        _send.InitializeKey(key);
        _receive.InitializeKey(key);
        _frame = new byte[PlaintextBytes + NoiseProtocol.TagLength];
    }

    [Benchmark]
    public int EncryptThenDecrypt()
    {
        Span<byte> frame = _frame;
        int length = _send.EncryptWithAd(default, frame[..PlaintextBytes], frame);
        _receive.TryDecryptWithAd(default, frame[..length], frame, out int written);
        return written;
    }

    /// <summary>Zeroes the benchmark's keys.</summary>
    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
        GC.SuppressFinalize(this);
    }
}
