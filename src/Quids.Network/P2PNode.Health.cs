using Quids.Network.Core;
using Quids.Network.Diagnostics;

namespace Quids.Network;

public sealed partial class P2PNode
{
    /// <summary>Measures the round-trip time to a connected peer with <c>/ipfs/ping/1.0.0</c>.</summary>
    /// <exception cref="PeerNotConnectedException">The peer is not connected.</exception>
    /// <exception cref="Protocols.Ping.PingException">The peer answered wrongly or not in time.</exception>
    public async Task<TimeSpan> PingAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        RunningSwarm();
        var connection = FindConnection(peer) ?? throw new PeerNotConnectedException($"Peer {peer} is not connected.");
        var rtt = await _ping!.PingAsync(connection.Network!, null, cancellationToken);
        connection.RecordRtt(rtt);
        return rtt;
    }

    /// <summary>
    /// Pings every connection every <see cref="P2PNodeOptions.PingInterval"/> (keeping its RTT current), and
    /// closes one that has shown no traffic and answered no ping for <see cref="P2PNodeOptions.ConnectionTimeout"/>.
    /// </summary>
    private async Task HealthLoopAsync(CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var lastSeen = new Dictionary<long, (long Bytes, DateTimeOffset At, DateTimeOffset LastPing)>();
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, _options.PingInterval.Ticks / 4));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = time.GetUtcNow();
                var live = _connections.ToArray();
                foreach (var (id, connection) in live)
                {
                    if (connection.Network is not { } network)
                    {
                        continue;
                    }

                    long bytes = network.BytesReceived;
                    if (!lastSeen.TryGetValue(id, out var seen) || seen.Bytes != bytes)
                    {
                        seen = (bytes, now, seen.LastPing == default ? now : seen.LastPing);
                    }

                    if (now - seen.At >= _options.ConnectionTimeout)
                    {
                        NodeLog.ConnectionTimedOut(_logger, network.RemotePeerId, _options.ConnectionTimeout.TotalSeconds);
                        network.Abort(new TimeoutException(
                            $"No traffic and no ping answer from {network.RemotePeerId} within the connection timeout of {_options.ConnectionTimeout.TotalSeconds:0.#} s."));
                        continue;
                    }

                    if (now - seen.LastPing >= _options.PingInterval)
                    {
                        seen.LastPing = now;
                        _ = PingQuietlyAsync(connection, cancellationToken);
                    }

                    lastSeen[id] = seen;
                }

                foreach (long gone in lastSeen.Keys.Where(k => !_connections.ContainsKey(k)).ToList())
                {
                    lastSeen.Remove(gone);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }

    private async Task PingQuietlyAsync(P2PConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var rtt = await _ping!.PingAsync(connection.Network!, _options.ConnectionTimeout, cancellationToken);
            connection.RecordRtt(rtt);
        }
        catch (Exception e)
        {
            // A failed ping is not fatal by itself: the timeout above closes a connection that stays silent.
            NodeLog.PingFailed(_logger, connection.PeerId, e.Message);
        }
    }
}
