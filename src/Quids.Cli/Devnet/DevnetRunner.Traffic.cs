using System.Diagnostics;
using System.Text;
using Quids.Network;
using Quids.Network.Core;

namespace Quids.Cli.Devnet;

internal sealed partial class DevnetRunner
{
    /// <summary>How often the delivery phase re-counts arrivals while waiting for in-flight messages.</summary>
    private static readonly TimeSpan s_deliveryPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Each node sends its messages round-robin over the peers it has, <c>d/&lt;from&gt;/&lt;seq&gt;</c> each.</summary>
    private async Task SendDirectAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        var phase = progress.Begin("sending direct messages", (long)_nodes.Length * _settings.Messages);
        var watch = Stopwatch.StartNew();
        long sent = 0;
        await Task.WhenAll(_nodes.Select(async (node, from) =>
        {
            var peers = PeersOf(node);
            if (peers.Count == 0)
            {
                return;
            }

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _settings.SendConcurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, _settings.Messages), parallel, async (seq, ct) =>
            {
                var target = peers[seq % peers.Count];
                string id = $"d/{from}/{seq}";
                if (await TrySendAsync(node, target, id, ct))
                {
                    Interlocked.Increment(ref sent);
                }

                phase.Advance();
            });
        }));
        phase.Complete($"sent {sent} direct messages in {Seconds(watch.Elapsed)} s");
    }

    private async Task<bool> TrySendAsync(P2PNode node, PeerId target, string id, CancellationToken cancellationToken)
    {
        _ledger.Expect(_indexOf.GetValueOrDefault(target, -1), id);
        try
        {
            await node.SendMessageToPeerAsync(target, Encoding.UTF8.GetBytes(id), cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _ledger.SendFailed();
            Note($"send {id} to {target} failed: {CliConsole.Describe(e)}");
            return false;
        }
    }

    /// <summary>Each node broadcasts <c>b/&lt;from&gt;/&lt;seq&gt;</c>; every peer the broadcast reached must receive it once.</summary>
    private async Task BroadcastAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        var phase = progress.Begin("broadcasting", (long)_nodes.Length * _settings.Broadcasts);
        long copies = 0;
        await Task.WhenAll(_nodes.Select(async (node, from) =>
        {
            for (int seq = 0; seq < _settings.Broadcasts; seq++)
            {
                string id = $"b/{from}/{seq}";
                var result = await node.BroadcastMessageAsync(Encoding.UTF8.GetBytes(id), cancellationToken);
                foreach (var (peer, error) in result.Outcomes)
                {
                    _ledger.Expect(_indexOf.GetValueOrDefault(peer, -1), id);
                    if (error is not null)
                    {
                        _ledger.SendFailed();
                        Note($"broadcast {id} to {peer} failed: {CliConsole.Describe(error)}");
                    }
                }

                Interlocked.Add(ref copies, result.Succeeded);
                phase.Advance();
            }
        }));
        phase.Complete($"{_nodes.Length * _settings.Broadcasts} broadcasts reached {copies} peers");
    }

    /// <summary>Waits, up to <see cref="DevnetSettings.DeliveryTimeout"/>, until every expected message has arrived.</summary>
    private async Task AwaitDeliveryAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        int expected = _ledger.Expected;
        var phase = progress.Begin("delivering", expected);
        var watch = Stopwatch.StartNew();
        int arrived;
        while ((arrived = _ledger.CountArrived()) < expected && watch.Elapsed < _settings.DeliveryTimeout)
        {
            phase.SetValue(arrived);
            await Task.Delay(s_deliveryPoll, cancellationToken);
        }

        phase.SetValue(arrived);
        phase.Complete(arrived == expected
            ? $"{arrived}/{expected} messages arrived"
            : $"{arrived}/{expected} messages arrived; gave up waiting after {Seconds(_settings.DeliveryTimeout)} s");
    }

    /// <summary>
    /// Pings every peer of every node, one ping at a time: concurrent pings in one process measure the
    /// thread pool's queue rather than the network. Then snapshots each node's statistics.
    /// </summary>
    private async Task<List<NodeReport>> PingAndCollectAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        var links = _nodes.Select(PeersOf).ToArray();
        var phase = progress.Begin("pinging", links.Sum(l => l.Count));
        var reports = new List<NodeReport>(_nodes.Length);
        for (int index = 0; index < _nodes.Length; index++)
        {
            var node = _nodes[index];
            var rtts = new List<TimeSpan>();
            int failures = 0;
            foreach (var peer in links[index])
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(_settings.PingTimeout);
                try
                {
                    rtts.Add(await node.PingAsync(peer, deadline.Token));
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failures++;
                    Note($"node {index}: ping to {peer} failed: {CliConsole.Describe(e)}");
                }

                phase.Advance();
            }

            var stats = node.GetStatistics();
            reports.Add(new NodeReport(
                index,
                node.PeerId,
                links[index].Count,
                stats.MessagesReceived,
                stats.MessagesSent,
                stats.BytesReceived,
                stats.BytesSent,
                rtts.Count == 0 ? null : TimeSpan.FromTicks((long)rtts.Average(t => t.Ticks)),
                failures));
        }

        int failed = reports.Sum(r => r.PingFailures);
        phase.Complete($"pinged {links.Sum(l => l.Count)} links{(failed == 0 ? string.Empty : $", {failed} failed")}");
        return reports;
    }

    /// <summary>
    /// Keeps the first few failures to print (the tally counts them all, and a failed send already fails the
    /// run); a failed ping only costs its RTT.
    /// </summary>
    private void Note(string warning)
    {
        const int MaxNotes = 5;
        lock (_warnings)
        {
            if (_warnings.Count < MaxNotes)
            {
                _warnings.Add(warning);
            }
        }
    }
}
