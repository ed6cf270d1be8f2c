using System.Net;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Node;

public class ConnectionManagementTests
{
    [Fact]
    public async Task A_silent_peer_is_pinged_then_closed_after_the_connection_timeout()
    {
        await using var b = await NodeTests.StartAsync();
        await using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, b.Port()));
        await using var a = await NodeTests.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(200);
            o.ConnectionTimeout = TimeSpan.FromSeconds(2);
            o.TargetPeerCount = 0; // no discovery: the peer must stay reachable only through the proxy
            o.EnableDht = false;
        });
        var disconnected = new TaskCompletionSource<PeerEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.PeerDisconnected += (_, e) =>
        {
            if (e.Error is TimeoutException)
            {
                disconnected.TrySetResult(e);
            }
        };

        var connection = await a.ConnectToPeerAsync("127.0.0.1", proxy.Port);
        await NodeTests.EventuallyAsync(() => connection.GetStatistics().LastPingRtt is not null, "a health ping is answered");
        proxy.Freeze();

        var e = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ConnectionState.Error, e.Connection.State);
        Assert.IsType<TimeoutException>(e.Error);
        Assert.Contains("connection timeout", e.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_connections_are_pinged_every_interval_too()
    {
        await using var b = await NodeTests.StartAsync();
        await using var a = await NodeTests.StartAsync(o =>
        {
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.ConnectionTimeout = TimeSpan.FromSeconds(5);
        });
        var connection = await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (connection.GetStatistics().LastPingRtt is null && DateTime.UtcNow < deadline)
        {
            await a.SendMessageToPeerAsync(b.PeerId, new byte[16]);
            await Task.Delay(5);
        }

        Assert.NotNull(connection.GetStatistics().LastPingRtt);
    }

    [Fact]
    public async Task A_persistent_peer_is_redialled_after_the_connection_is_cut()
    {
        await using var b = await NodeTests.StartAsync();
        await using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, b.Port()));
        await using var a = await NodeTests.StartAsync(o => o.ReconnectInitialDelay = TimeSpan.FromMilliseconds(50));
        int connects = 0;
        a.PeerConnected += (_, _) => Interlocked.Increment(ref connects);

        await a.ConnectToPeerAsync("127.0.0.1", proxy.Port, persistent: true);
        proxy.DropAll();

        await NodeTests.EventuallyAsync(() => Volatile.Read(ref connects) >= 2 && a.Connections.Count == 1, "a reconnects");
        Assert.True(await a.PingAsync(b.PeerId) > TimeSpan.Zero);
    }

    [Fact]
    public async Task Bootstrap_peers_are_connected_at_start_and_kept()
    {
        await using var boot = await NodeTests.StartAsync();
        await using var a = await NodeTests.StartAsync(o => o.BootstrapPeers.Add(boot.ListenAddresses[0]));

        await NodeTests.EventuallyAsync(() => a.Connections.Count == 1, "a joins the bootstrap peer");
        Assert.Equal(boot.PeerId, a.Connections.Single().PeerId);
        Assert.Equal(1, await a.DiscoverPeersAsync());
    }

    [Fact]
    public void Reconnect_delays_double_up_to_the_cap_with_jitter()
    {
        var node = new P2PNode(new P2PNodeOptions
        {
            Port = 0,
            ReconnectInitialDelay = TimeSpan.FromSeconds(1),
            ReconnectMaxDelay = TimeSpan.FromSeconds(8),
        });

        for (int failures = 1; failures <= 6; failures++)
        {
            double expected = Math.Min(Math.Pow(2, failures - 1), 8);
            var delay = node.ReconnectDelay(failures).TotalSeconds;
            Assert.InRange(delay, expected * 0.8, expected * 1.2);
        }
    }

    [Fact]
    public async Task Max_connections_is_enforced_for_inbound_and_outbound()
    {
        await using var limited = await NodeTests.StartAsync(o => o.MaxConnections = 2);
        var others = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => NodeTests.StartAsync()));
        try
        {
            await others[0].ConnectToPeerAsync("127.0.0.1", limited.Port());
            await limited.ConnectToPeerAsync("127.0.0.1", others[1].Port());
            await NodeTests.EventuallyAsync(() => limited.Connections.Count == 2, "two connections");

            await Assert.ThrowsAsync<ConnectionLimitException>(() => limited.ConnectToPeerAsync("127.0.0.1", others[2].Port()));
            await Assert.ThrowsAnyAsync<IOException>(() => others[2].ConnectToPeerAsync("127.0.0.1", limited.Port()));
            Assert.Equal(2, limited.Connections.Count);
        }
        finally
        {
            foreach (var o in others)
            {
                await o.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Simultaneous_dials_in_both_directions_settle_on_one_connection()
    {
        for (int round = 0; round < 5; round++)
        {
            await using var a = await NodeTests.StartAsync();
            await using var b = await NodeTests.StartAsync();

            var ab = a.ConnectToPeerAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{b.Port()}/p2p/{b.PeerId}"));
            var ba = b.ConnectToPeerAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{a.Port()}/p2p/{a.PeerId}"));
            await Task.WhenAll(ab, ba);

            // Each side decides alone, once both connections are up; the same one must survive on both.
            await NodeTests.EventuallyAsync(
                () => a.Connections.Count == 1 && b.Connections.Count == 1 &&
                       a.Connections.Single().Direction != b.Connections.Single().Direction,
                "one shared connection");
            await Task.Delay(200);
            Assert.Single(a.Connections);
            Assert.Single(b.Connections);
            Assert.Equal(ConnectionState.Connected, a.Connections.Single().State);
            await a.SendMessageToPeerAsync(b.PeerId, new byte[] { 1 });
            await b.SendMessageToPeerAsync(a.PeerId, new byte[] { 2 });
        }
    }

    [Fact]
    public async Task Connecting_twice_to_the_same_peer_reuses_the_connection()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();

        var first = await a.ConnectToPeerAsync("127.0.0.1", b.Port());
        var second = await a.ConnectToPeerAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{b.Port()}/p2p/{b.PeerId}"));

        Assert.Same(first, second);
        Assert.Single(a.Connections);
    }
}
