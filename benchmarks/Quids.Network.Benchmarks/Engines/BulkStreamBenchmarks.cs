using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Quids.Network.Core;
using Quids.Network.Muxing;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Security.Noise;
using Quids.Network.Transport;

namespace Quids.Network.Benchmarks.Engines;

/// <summary>
/// Bulk transfer through Noise transport encryption and Yamux over an in-memory byte pipe (no sockets): one stream
/// carries <see cref="TransferBytes"/> in 64 KiB writes, as /perf/1.0.0 does. The time is both processes'
/// layers on one machine: what the library adds on top of the kernel's loopback copy.
/// </summary>
[MemoryDiagnoser]
public class BulkStreamBenchmarks : IAsyncDisposable
{
    /// <summary>Bytes per transfer: 64 MiB, one harness perf exchange.</summary>
    private const long TransferBytes = 64L << 20;

    private const int WriteSize = 64 * 1024;

    // The raw pipes stand for the TCP connection's pipes: thread-pool continuations and a 1 MiB read buffer.
    private const long RawPauseThreshold = 1024 * 1024;

    private NoiseSecureChannel? _clientChannel;
    private NoiseSecureChannel? _serverChannel;
    private YamuxSession? _client;
    private YamuxSession? _server;

    [GlobalSetup]
    public void Setup()
    {
        var options = new PipeOptions(pauseWriterThreshold: RawPauseThreshold, resumeWriterThreshold: RawPauseThreshold / 2, useSynchronizationContext: false);
        var toServer = new Pipe(options);
        var toClient = new Pipe(options);
        byte[] key1 = new byte[NoiseCipherState.KeyLength];
        byte[] key2 = new byte[NoiseCipherState.KeyLength];
        key1[0] = 1;
        key2[0] = 2;
        _clientChannel = NewChannel(new DuplexPipe(toClient.Reader, toServer.Writer), key1, key2);
        _serverChannel = NewChannel(new DuplexPipe(toServer.Reader, toClient.Writer), key2, key1);
        _client = new YamuxSession(_clientChannel, isClient: true);
        _server = new YamuxSession(_serverChannel, isClient: false);
        _client.Start();
        _server.Start();
    }

    /// <summary>Opens a stream, writes 64 MiB and closes; the other side reads until the end.</summary>
    [Benchmark(OperationsPerInvoke = (int)(TransferBytes >> 20))]
    public async Task<long> TransferPerMiB()
    {
        IMuxedStream sending = await _client!.OpenStreamAsync();
        await sending.Output.FlushAsync();
        IMuxedStream receiving = (await _server!.AcceptStreamAsync())!;
        Task<long> read = DrainAsync(receiving.Input);
        byte[] chunk = new byte[WriteSize];
        for (long sent = 0; sent < TransferBytes; sent += WriteSize)
        {
            await sending.Output.WriteAsync(chunk);
        }

        await sending.Output.CompleteAsync();
        long received = await read;
        await receiving.Output.CompleteAsync();
        await sending.DisposeAsync();
        await receiving.DisposeAsync();
        return received;
    }

    /// <summary>Stops both sessions and channels.</summary>
    [GlobalCleanup]
    public async ValueTask DisposeAsync()
    {
        await _client!.DisposeAsync();
        await _server!.DisposeAsync();
        await _clientChannel!.DisposeAsync();
        await _serverChannel!.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static NoiseSecureChannel NewChannel(IDuplexPipe raw, byte[] sendKey, byte[] receiveKey)
    {
        var send = new NoiseCipherState();
        var receive = new NoiseCipherState();
        send.InitializeKey(sendKey);
        receive.InitializeKey(receiveKey);
        using var peer = IdentityKeyPair.Generate();
        var remote = new NoiseRemoteIdentity(peer.PublicKey, peer.PeerId, []);
        var channel = new NoiseSecureChannel(raw, new NoiseTransportCiphers(send, receive), remote, new byte[NoiseProtocol.HashLength]);
        channel.Start();
        return channel;
    }

    private static async Task<long> DrainAsync(PipeReader input)
    {
        long received = 0;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            received += result.Buffer.Length;
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received;
            }
        }
    }
}
