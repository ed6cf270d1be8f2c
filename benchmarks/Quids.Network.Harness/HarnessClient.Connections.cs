using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Quids.Network.Core;
using Quids.Network.Network;

namespace Quids.Network.Harness;

internal static partial class HarnessClient
{
    /// <summary>Dials in flight while opening the idle connections: well under the server's 1024 pending.</summary>
    private const int MemoryDialConcurrency = 64;

    private static async Task<string> ConnectAsync(HarnessArgs args)
    {
        var target = Multiaddress.Parse(args.SwarmAddress!);
        var samples = new List<long>[args.Workers];
        long count = 0;
        bool measuring = false;
        bool stopping = false;

        async Task WorkerAsync(int worker)
        {
            // Each worker is its own peer, so that the server keeps its connections apart.
            using var identity = IdentityKeyPair.Generate();
            await using var swarm = NewSwarm(identity);
            samples[worker] = [];
            while (!Volatile.Read(ref stopping))
            {
                bool measured = Volatile.Read(ref measuring);
                long start = Stopwatch.GetTimestamp();
                var connection = await swarm.DialAsync(target);
                long took = Stopwatch.GetTimestamp() - start;
                await connection.DisposeAsync();
                if (measured)
                {
                    samples[worker].Add(took);
                    Interlocked.Increment(ref count);
                }
            }
        }

        var warmUp = new WarmUpGate();
        long allocated = 0;
        long measuredStart = 0;
        async Task TimekeeperAsync()
        {
            await warmUp.WaitAsync();
            allocated = GC.GetTotalAllocatedBytes(precise: true);
            measuredStart = Stopwatch.GetTimestamp();
            Volatile.Write(ref measuring, true);
            await Task.Delay(TimeSpan.FromSeconds(args.Seconds));
            Volatile.Write(ref stopping, true);
        }

        var timekeeper = TimekeeperAsync();
        await Task.WhenAll(Enumerable.Range(0, args.Workers).Select(w => Task.Run(() => WorkerAsync(w))));
        await timekeeper;
        double seconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated; // the dials in flight at the start included: an upper bound
        var all = samples.SelectMany(s => s).ToList();
        var (aboveTcp, relayDialMs) = await MeasureRoundTripsAsync(target);
        return $"name=quids_connect procs=2 workers={args.Workers} conns={count} conns_per_s={Measure.F(count / seconds, 0)} client_alloc_kib_per_conn_max={Measure.F(allocated / 1024.0 / Math.Max(1, count), 1)} " +
            $"round_trips={1 + aboveTcp} round_trips_above_tcp={aboveTcp} round_trip_relay_dial_ms={Measure.F(relayDialMs)} dial_{Measure.Latency(all).Replace(" ", " dial_", StringComparison.Ordinal)} {warmUp.Summary}";
    }

    private static async Task<string> MemoryAsync(HarnessArgs args)
    {
        var target = Multiaddress.Parse(args.SwarmAddress!);
        using var controlIdentity = IdentityKeyPair.Generate();
        await using var controlSwarm = NewSwarm(controlIdentity);
        var control = await (await controlSwarm.DialAsync(target)).OpenStreamAsync(HarnessServer.ControlProtocol, TimeSpan.FromSeconds(10));
        using var controlReader = new StreamReader(control.Input.AsStream(), Encoding.ASCII);

        async Task<(long Kib, int Connections)> ServerAsync()
        {
            await control.Output.WriteAsync(Encoding.ASCII.GetBytes("rss\n"));
            var line = await controlReader.ReadLineAsync() ?? throw new EndOfStreamException("the control stream ended");
            var parts = line.Split(' ');
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        // One identity and one swarm per connection (the server keeps one connection per peer); they are made
        // before the first reading, so the client figure counts the connections, not the harness's peers.
        var identities = Enumerable.Range(0, args.Connections).Select(_ => IdentityKeyPair.Generate()).ToArray();
        var swarms = identities.Select(NewSwarm).ToArray();
        var serverBefore = await ServerAsync();
        long clientBefore = Measure.ResidentKib();
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(MemoryDialConcurrency);
        var connections = await Task.WhenAll(swarms.Select(async swarm =>
        {
            await gate.WaitAsync();
            try
            {
                return await swarm.DialAsync(target);
            }
            finally
            {
                gate.Release();
            }
        }));
        double dialSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(1)); // idle: let the last handshakes' buffers go back to their pools
        var serverAfter = await ServerAsync();
        long clientAfter = Measure.ResidentKib();
        int n = connections.Length;
        string line = $"name=quids_memory procs=2 conns={n} server_conns={serverAfter.Connections - serverBefore.Connections} " +
            $"server_kib_per_conn={Measure.F((serverAfter.Kib - serverBefore.Kib) / (double)n, 2)} client_kib_per_conn={Measure.F((clientAfter - clientBefore) / (double)n, 2)} " +
            $"server_rss_before_kib={serverBefore.Kib} server_rss_after_kib={serverAfter.Kib} client_rss_before_kib={clientBefore} client_rss_after_kib={clientAfter} dial_s={Measure.F(dialSeconds, 2)}";
        await Task.WhenAll(swarms.Select(s => s.DisposeAsync().AsTask()));
        foreach (var identity in identities)
        {
            identity.Dispose();
        }

        await control.DisposeAsync();
        return line;
    }
}
