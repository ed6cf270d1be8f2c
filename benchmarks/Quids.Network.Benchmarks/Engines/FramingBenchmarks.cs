using Quids.Network.Core;
using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Quids.Network.Multistream;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Protocols.Messaging;

namespace Quids.Network.Benchmarks.Engines;

/// <summary>The per-frame costs under every message: Yamux headers, /quids/msg/1.0.0 frames, multistream lines.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private const int Frames = 1024;
    private readonly byte[] _header = new byte[12];
    private readonly byte[] _message = new byte[64];
    private readonly ArrayBufferWriter<byte> _writer = new(Frames * 80);
    private byte[] _encodedMessages = [];

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Frames; i++)
        {
            MessagingProtocol.WriteFrame(_writer, _message);
        }

        _encodedMessages = _writer.WrittenSpan.ToArray();
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public uint YamuxHeaderWriteThenRead()
    {
        uint sum = 0;
        for (uint i = 0; i < Frames; i++)
        {
            new YamuxFrameHeader(YamuxFrameType.Data, YamuxFlags.None, i | 1, 64).Write(_header);
            YamuxFrameHeader.TryRead(_header, 1 << 20, out var header);
            sum += header.Length;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int MessageFrameWrite()
    {
        _writer.ResetWrittenCount();
        for (int i = 0; i < Frames; i++)
        {
            MessagingProtocol.WriteFrame(_writer, _message);
        }

        return _writer.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long MessageFrameRead()
    {
        var buffer = new ReadOnlySequence<byte>(_encodedMessages);
        long total = 0;
        while (MessagingProtocol.TryReadFrame(ref buffer, 1 << 20, out var frame, out _) == FrameStatus.Frame)
        {
            total += frame.Length;
        }

        return total;
    }

    [Benchmark]
    public async Task<string> MultistreamDialerAndListener()
    {
        var a = new Pipe();
        var b = new Pipe();
        var dialer = new Quids.Network.Transport.DuplexPipe(a.Reader, b.Writer);
        var listener = new Quids.Network.Transport.DuplexPipe(b.Reader, a.Writer);
        var listening = MultistreamListener.NegotiateAsync(listener, ["/quids/msg/1.0.0"]).AsTask();
        string chosen = await MultistreamDialer.SelectAsync(dialer, ["/quids/msg/1.0.0"]);
        await listening;
        return chosen;
    }
}
