using System.Buffers.Binary;
using System.Diagnostics;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Protocols.Perf;

namespace Quids.Network.Harness;

/// <summary>The measuring process: runs one test against a <see cref="HarnessServer"/> and prints its RESULT line.</summary>
internal static partial class HarnessClient
{
    /// <summary>Bytes per perf exchange; exchanges repeat until the test time is up (64 MiB, ~40 ms at 1.5 GB/s).</summary>
    private const long PerfChunkBytes = 64L << 20;

    /// <summary>Un-awaited SendMessageToPeerAsync calls in flight: deep enough to keep the sender busy.</summary>
    private const int SendWindow = 4096;

    /// <summary>Warm-up chunk between checks of <see cref="WarmUpGate"/>, in seconds.</summary>
    private const double WarmUpChunkSeconds = 0.25;

    public static async Task<int> RunAsync(HarnessArgs args)
    {
        var line = args.Test switch
        {
            "perf-up" => await PerfAsync(args, upload: true),
            "perf-down" => await PerfAsync(args, upload: false),
            "small" => await SmallAsync(args),
            "echo" => await EchoAsync(args),
            "ping" => await PingAsync(args),
            "connect" => await ConnectAsync(args),
            "memory" => await MemoryAsync(args),
            "aead-floor" => AeadFloor.Run(args.FloorPort, args.Seconds),
            _ => throw new ArgumentException($"unknown test '{args.Test}'"),
        };
        Console.WriteLine("RESULT " + line);
        return 0;
    }

    private static Swarm NewSwarm(IdentityKeyPair identity) => new(new HostOptions { Identity = identity });

    private static async Task<long> PerfAsync(PerfService perf, NetworkConnection connection, long bytes, bool upload) =>
        upload ? (await perf.RunAsync(connection, bytes, 0)).UploadBytes : (await perf.RunAsync(connection, 0, bytes)).DownloadBytes;

    private static async Task<string> PerfAsync(HarnessArgs args, bool upload)
    {
        using var identity = IdentityKeyPair.Generate();
        await using var swarm = NewSwarm(identity);
        var perf = new PerfService(swarm, new PerfOptions());
        var connection = await swarm.DialAsync(Multiaddress.Parse(args.SwarmAddress!));
        var warmUp = new WarmUpGate();
        await warmUp.RunAsync(() => PerfAsync(perf, connection, 16L << 20, upload));

        long bytes = 0;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < args.Seconds)
        {
            bytes += await PerfAsync(perf, connection, PerfChunkBytes, upload);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return $"name=quids_perf_{(upload ? "up" : "down")} procs=2 bytes={bytes} seconds={Measure.F(seconds, 3)} mb_per_s={Measure.F(bytes / 1e6 / seconds)} client_alloc_bytes_per_mb={Measure.F(allocated / (bytes / 1e6), 0)} {warmUp.Summary}";
    }

    private static async Task<string> SmallAsync(HarnessArgs args)
    {
        await using var node = new P2PNode(new P2PNodeOptions { Port = 0, BindAddress = "127.0.0.1" });
        var reply = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.RegisterMessageHandler((_, message) => reply.TrySetResult(BinaryPrimitives.ReadInt64BigEndian(message.Span)));
        await node.StartAsync();
        var peer = (await node.ConnectToPeerAsync(Multiaddress.Parse(args.NodeAddress!))).PeerId!;
        var message = new byte[HarnessServer.MessageSize];
        var window = new Task[SendWindow];

        async Task<long> SendForAsync(double seconds)
        {
            long sent = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                // Check the clock once per window of sends, so that it costs nothing per message.
                for (int i = 0; i < SendWindow; i++, sent++)
                {
                    if (window[i] is { } previous)
                    {
                        await previous;
                    }

                    window[i] = node.SendMessageToPeerAsync(peer, message);
                }
            }

            await Task.WhenAll(window.Where(t => t is not null));
            Array.Clear(window);
            return sent;
        }

        async Task<long> EndAsync()
        {
            await node.SendMessageToPeerAsync(peer, new byte[1]);
            long counted = await reply.Task.WaitAsync(TimeSpan.FromSeconds(120));
            reply = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            return counted;
        }

        var warmUp = new WarmUpGate();
        await warmUp.RunAsync(async () =>
        {
            await SendForAsync(WarmUpChunkSeconds);
            await EndAsync();
        });
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var total = Stopwatch.StartNew();
        long sent = await SendForAsync(args.Seconds);
        long received = await EndAsync();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        double seconds = total.Elapsed.TotalSeconds;
        if (received != sent)
        {
            throw new InvalidOperationException($"sent {sent} messages, the server counted {received}");
        }

        return $"name=quids_small procs=2 msg_size={HarnessServer.MessageSize} seconds={Measure.F(seconds, 2)} msgs={received} msgs_per_s={Measure.F(received / seconds, 0)} mb_per_s={Measure.F(received * 64 / 1e6 / seconds)} client_alloc_bytes_per_msg={Measure.F(allocated / (double)Math.Max(1, sent), 0)} {warmUp.Summary}";
    }

    private static async Task<string> EchoAsync(HarnessArgs args)
    {
        using var identity = IdentityKeyPair.Generate();
        await using var swarm = NewSwarm(identity);
        var connection = await swarm.DialAsync(Multiaddress.Parse(args.SwarmAddress!));
        var stream = await connection.OpenStreamAsync(HarnessServer.EchoProtocol, TimeSpan.FromSeconds(10));
        var request = new byte[HarnessServer.MessageSize];

        async Task<List<long>> RoundTripsAsync(double seconds)
        {
            var samples = new List<long>(1 << 16);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                long start = Stopwatch.GetTimestamp();
                await stream.Output.WriteAsync(request);
                int got = 0;
                while (got < HarnessServer.MessageSize)
                {
                    var result = await stream.Input.ReadAsync();
                    got += (int)result.Buffer.Length;
                    stream.Input.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted && got < HarnessServer.MessageSize)
                    {
                        throw new EndOfStreamException("the echo stream ended");
                    }
                }

                samples.Add(Stopwatch.GetTimestamp() - start);
            }

            return samples;
        }

        var warmUp = new WarmUpGate();
        await warmUp.RunAsync(() => RoundTripsAsync(WarmUpChunkSeconds));
        long workItems = ThreadPool.CompletedWorkItemCount;
        var samples = await RoundTripsAsync(args.Seconds);
        workItems = ThreadPool.CompletedWorkItemCount - workItems;
        await stream.DisposeAsync();
        return $"name=quids_echo_latency procs=2 msg_size={HarnessServer.MessageSize} {Measure.Latency(samples)} client_pool_items_per_rt={Measure.F(workItems / (double)samples.Count)} {warmUp.Summary}";
    }

    private static async Task<string> PingAsync(HarnessArgs args)
    {
        await using var node = new P2PNode(new P2PNodeOptions { Port = 0, BindAddress = "127.0.0.1" });
        await node.StartAsync();
        var peer = (await node.ConnectToPeerAsync(Multiaddress.Parse(args.NodeAddress!))).PeerId!;

        async Task<List<long>> PingsAsync(double seconds)
        {
            var samples = new List<long>(1 << 14);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                long start = Stopwatch.GetTimestamp();
                await node.PingAsync(peer);
                samples.Add(Stopwatch.GetTimestamp() - start);
            }

            return samples;
        }

        var warmUp = new WarmUpGate();
        await warmUp.RunAsync(() => PingsAsync(WarmUpChunkSeconds));
        long workItems = ThreadPool.CompletedWorkItemCount;
        var samples = await PingsAsync(args.Seconds);
        workItems = ThreadPool.CompletedWorkItemCount - workItems;
        return $"name=quids_ping procs=2 {Measure.Latency(samples)} client_pool_items_per_rt={Measure.F(workItems / (double)samples.Count)} {warmUp.Summary}";
    }
}
