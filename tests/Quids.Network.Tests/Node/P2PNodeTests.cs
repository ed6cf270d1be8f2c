using System.Collections.Concurrent;
using System.Text;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Protocols.Messaging;

namespace Quids.Network.Tests.Node;

public class P2PNodeTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task A_message_sent_by_host_and_port_reaches_the_handler_with_its_sender(string bind)
    {
        await using var a = await NodeTests.StartAsync(bind: bind);
        await using var b = await NodeTests.StartAsync(bind: bind);
        var received = new TaskCompletionSource<(PeerInfo Peer, string Text)>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.RegisterMessageHandler((peer, message) => received.TrySetResult((peer, Encoding.UTF8.GetString(message.Span))));

        await a.ConnectToPeerAsync(bind, b.Port());
        await a.SendMessageToPeerAsync(bind, b.Port(), "hello"u8.ToArray());

        var (peer, text) = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hello", text);
        Assert.Equal(a.PeerId, peer.PeerId);
        Assert.Equal(System.Net.IPAddress.Parse(bind).ToString(), peer.Address);
        Assert.True(peer.Port > 0);
    }

    [Fact]
    public async Task A_connection_goes_through_connecting_handshaking_connected_and_both_sides_see_the_peer()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        var seenByB = new TaskCompletionSource<PeerEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.PeerConnected += (_, e) => seenByB.TrySetResult(e);

        var connection = await a.ConnectToPeerAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{b.Port()}/p2p/{b.PeerId}"));

        Assert.Equal(ConnectionState.Connected, connection.State);
        Assert.Equal(b.PeerId, connection.PeerId);
        Assert.Equal(ConnectionDirection.Outbound, connection.Direction);
        var inbound = (await seenByB.Task.WaitAsync(TimeSpan.FromSeconds(10))).Connection;
        Assert.Equal(a.PeerId, inbound.PeerId);
        Assert.Equal(ConnectionDirection.Inbound, inbound.Direction);
        Assert.Single(a.Connections);
        Assert.Single(b.Connections);
    }

    [Fact]
    public async Task State_changes_are_reported_in_order()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        var states = new ConcurrentQueue<ConnectionState>();
        var connected = new TaskCompletionSource<P2PConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.PeerConnected += (_, e) =>
        {
            connected.TrySetResult(e.Connection);
            e.Connection.StateChanged += (_, change) => states.Enqueue(change.Current);
        };

        var connection = await a.ConnectToPeerAsync("127.0.0.1", b.Port());
        await b.StopAsync();
        await NodeTests.EventuallyAsync(() => connection.State != ConnectionState.Connected, "the connection ends");

        Assert.Contains(connection.State, new[] { ConnectionState.Disconnected, ConnectionState.Error });
        Assert.Equal(connection.State, states.Last());
    }

    [Fact]
    public async Task A_failed_dial_ends_in_the_error_state_with_a_typed_exception()
    {
        await using var a = await NodeTests.StartAsync();
        using var nobody = IdentityKeyPair.Generate();
        await using var b = await NodeTests.StartAsync();

        var e = await Assert.ThrowsAsync<ConnectionUpgradeException>(() =>
            a.ConnectToPeerAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{b.Port()}/p2p/{nobody.PeerId}")));

        Assert.Equal(UpgradeStage.SecurityHandshake, e.Stage);
        Assert.Empty(a.Connections);
        Assert.True(a.GetStatistics().Errors >= 1);
    }

    [Fact]
    public async Task Sending_to_an_unknown_peer_or_too_large_a_message_fails_with_typed_errors()
    {
        await using var a = await NodeTests.StartAsync(o => o.BufferSize = 1024);
        await using var b = await NodeTests.StartAsync();
        await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        await Assert.ThrowsAsync<PeerNotConnectedException>(() => a.SendMessageToPeerAsync("127.0.0.1", 1, new byte[1]));
        using var stranger = IdentityKeyPair.Generate();
        await Assert.ThrowsAsync<PeerNotConnectedException>(() => a.SendMessageToPeerAsync(stranger.PeerId, new byte[1]));
        var tooLarge = await Assert.ThrowsAsync<MessageTooLargeException>(() => a.SendMessageToPeerAsync(b.PeerId, new byte[1025]));
        Assert.Equal(1024, tooLarge.Limit);
        await Assert.ThrowsAsync<MessageTooLargeException>(() => a.BroadcastMessageAsync(new byte[1025]));
    }

    [Fact]
    public async Task A_receiver_resets_the_stream_of_a_peer_sending_an_oversized_message_and_keeps_the_connection()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync(o => o.BufferSize = 1000);
        var received = new ConcurrentQueue<int>();
        b.RegisterMessageHandler((_, m) => received.Enqueue(m.Length));
        await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        await a.SendMessageToPeerAsync(b.PeerId, new byte[10]);
        await NodeTests.EventuallyAsync(() => received.Count == 1, "the small message arrives");
        try
        {
            await a.SendMessageToPeerAsync(b.PeerId, new byte[5000]);
        }
        catch (ConnectionLostException)
        {
            // The reset may reach the sender before or after the oversized message was handed to the socket.
        }

        await NodeTests.EventuallyAsync(() => b.GetStatistics().Errors >= 1, "b counts the violation");
        Assert.DoesNotContain(5000, received);
        Assert.True(await a.PingAsync(b.PeerId) > TimeSpan.Zero);
        await NodeTests.EventuallyAsync(() => TrySend(a, b.PeerId), "a fresh message stream works");
        await NodeTests.EventuallyAsync(() => received.Count >= 2, "later messages arrive");
    }

    [Fact]
    public async Task Broadcast_reaches_every_peer_and_reports_each_outcome()
    {
        await using var hub = await NodeTests.StartAsync();
        var peers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => NodeTests.StartAsync()));
        try
        {
            int count = 0;
            foreach (var p in peers)
            {
                p.RegisterMessageHandler((_, _) => Interlocked.Increment(ref count));
                await p.ConnectToPeerAsync("127.0.0.1", hub.Port());
            }

            await NodeTests.EventuallyAsync(() => hub.Connections.Count == 3, "hub sees 3 peers");
            var result = await hub.BroadcastMessageAsync("all"u8.ToArray());

            Assert.Equal(3, result.Succeeded);
            Assert.Equal(0, result.Failed);
            Assert.All(result.Outcomes.Values, Assert.Null);
            await NodeTests.EventuallyAsync(() => Volatile.Read(ref count) == 3, "every peer got it");
        }
        finally
        {
            foreach (var p in peers)
            {
                await p.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Statistics_count_messages_bytes_duration_and_rtt()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        int got = 0;
        b.RegisterMessageHandler((_, _) => Interlocked.Increment(ref got));
        var connection = await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        for (int i = 0; i < 5; i++)
        {
            await a.SendMessageToPeerAsync(b.PeerId, new byte[100]);
        }

        await a.PingAsync(b.PeerId);
        await NodeTests.EventuallyAsync(() => Volatile.Read(ref got) == 5, "5 messages arrive");
        var stats = connection.GetStatistics();

        Assert.Equal(5, stats.MessagesSent);
        Assert.True(stats.BytesSent > 500);
        Assert.True(stats.BytesReceived > 0);
        Assert.NotNull(stats.LastMessageAt);
        Assert.NotNull(stats.LastPingRtt);
        Assert.True(stats.Duration > TimeSpan.Zero);
        Assert.Equal(ConnectionState.Connected, stats.State);
        Assert.Equal(5, b.GetStatistics().MessagesReceived);
        Assert.Equal(5, b.GetStatistics().Connections[a.PeerId].MessagesReceived);
    }

    [Fact]
    public async Task A_handler_that_throws_is_counted_and_the_next_messages_still_arrive()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        var texts = new ConcurrentQueue<string>();
        b.RegisterMessageHandler((_, m) =>
        {
            string text = Encoding.UTF8.GetString(m.Span);
            texts.Enqueue(text);
            if (text == "boom")
            {
                throw new InvalidOperationException("handler failure");
            }
        });
        await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        await a.SendMessageToPeerAsync(b.PeerId, "boom"u8.ToArray());
        await a.SendMessageToPeerAsync(b.PeerId, "after"u8.ToArray());

        await NodeTests.EventuallyAsync(() => texts.Contains("after"), "the message after the failure arrives");
        Assert.Equal(1, b.GetStatistics().Connections[a.PeerId].Errors);
        Assert.Single(b.Connections);
    }

    [Fact]
    public async Task Stop_flushes_queued_messages_before_closing()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        int got = 0;
        b.RegisterMessageHandler((_, _) => Interlocked.Increment(ref got));
        await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        var sends = Enumerable.Range(0, 2000).Select(_ => a.SendMessageToPeerAsync(b.PeerId, new byte[200])).ToList();
        await a.StopAsync();

        await Task.WhenAll(sends);
        await NodeTests.EventuallyAsync(() => Volatile.Read(ref got) == 2000, "all 2000 queued messages arrive");
    }

    [Fact]
    public async Task A_stopped_node_accepts_no_new_connections_and_its_peers_see_it_leave()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.PeerDisconnected += (_, _) => left.TrySetResult();
        await a.ConnectToPeerAsync("127.0.0.1", b.Port());
        int port = b.Port();

        await b.StopAsync();

        await left.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using var c = await NodeTests.StartAsync();
        await Assert.ThrowsAnyAsync<IOException>(() => c.ConnectToPeerAsync("127.0.0.1", port));
        Assert.False(b.IsRunning);
    }

    private static bool TrySend(P2PNode from, PeerId to)
    {
        try
        {
            from.SendMessageToPeerAsync(to, new byte[3]).Wait(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (AggregateException)
        {
            return false;
        }
    }
}
