using System.Buffers;
using System.Security.Cryptography;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Protocols.Identify;
using Quids.Network.Protocols.Ping;
using Quids.Network.Security.Noise;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network;

public class ConnectionTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/0")]
    [InlineData("/ip6/::1/tcp/0")]
    public async Task Two_nodes_connect_and_each_knows_the_other_by_peer_id(string listen)
    {
        await using var a = await TestNode.StartAsync(listen);
        await using var b = await TestNode.StartAsync(listen);

        var outbound = await a.DialAsync(b);
        var inbound = await b.WaitForConnectionAsync(a.PeerId);

        Assert.Equal(b.PeerId, outbound.RemotePeerId);
        Assert.Equal(a.PeerId, inbound.RemotePeerId);
        Assert.Equal(ConnectionDirection.Outbound, outbound.Direction);
        Assert.Equal(ConnectionDirection.Inbound, inbound.Direction);
    }

    [Fact]
    public async Task Identify_runs_both_ways_with_every_field()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();

        var outbound = await a.DialAsync(b);
        var inbound = await b.WaitForConnectionAsync(a.PeerId);
        var aboutB = await a.Identify.GetRemoteInfoAsync(outbound);
        var aboutA = await b.Identify.GetRemoteInfoAsync(inbound);

        Assert.NotNull(aboutB);
        Assert.NotNull(aboutA);
        Assert.Equal(b.PeerId, aboutB.PeerId);
        Assert.Equal("quids-test/1.0", aboutB.AgentVersion);
        Assert.Equal("ipfs/0.1.0", aboutB.ProtocolVersion);
        Assert.Equal(b.Swarm.ListenAddresses, aboutB.ListenAddresses);
        Assert.Contains(PingProtocol.Id, aboutB.Protocols);
        Assert.Contains(IdentifyProtocol.Id, aboutB.Protocols);
        Assert.Equal(outbound.LocalAddress, aboutB.ObservedAddress);
        Assert.Equal(inbound.LocalAddress, aboutA.ObservedAddress);
        Assert.Equal(a.Swarm.Options.Identity!.PublicKey, aboutA.PublicKey);
    }

    [Fact]
    public async Task Ping_measures_a_round_trip_both_ways()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        var outbound = await a.DialAsync(b);
        var inbound = await b.WaitForConnectionAsync(a.PeerId);

        var there = await a.Ping.PingAsync(outbound);
        var back = await b.Ping.PingAsync(inbound);

        Assert.InRange(there, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.InRange(back, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Repeated_pings_share_one_stream()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        int streams = 0;
        b.Swarm.SetStreamHandler(PingProtocol.Id, async (incoming, ct) =>
        {
            Interlocked.Increment(ref streams);
            await PingProtocol.RespondAsync(incoming.Stream, TimeProvider.System, ct);
        });
        var connection = await a.DialAsync(b);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(await a.Ping.PingAsync(connection) > TimeSpan.Zero);
        }

        Assert.Equal(1, Volatile.Read(ref streams));
    }

    [Fact]
    public async Task A_ping_stream_the_peer_closed_is_replaced_without_failing_the_ping()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        int streams = 0;
        b.Swarm.SetStreamHandler(PingProtocol.Id, async (incoming, ct) =>
        {
            // A responder that ends its stream after one ping, as an idle timeout would.
            Interlocked.Increment(ref streams);
            var read = await incoming.Stream.Input.ReadAtLeastAsync(PingProtocol.PayloadLength, ct);
            await incoming.Stream.Output.WriteAsync(read.Buffer.Slice(0, PingProtocol.PayloadLength).ToArray(), ct);
            incoming.Stream.Input.AdvanceTo(read.Buffer.GetPosition(PingProtocol.PayloadLength));
            await incoming.Stream.CloseWriteAsync();
        });
        var connection = await a.DialAsync(b);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(await a.Ping.PingAsync(connection) > TimeSpan.Zero);
        }

        Assert.Equal(3, Volatile.Read(ref streams));
    }

    [Fact]
    public async Task Several_concurrent_streams_echo_megabytes_byte_exactly()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        var connection = await a.DialAsync(b);

        var payloads = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetBytes(2 << 20)).ToArray();
        var echoes = await Task.WhenAll(payloads.Select(p => TestNode.EchoOverAsync(connection, p)));

        for (int i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(SHA256.HashData(payloads[i]), SHA256.HashData(echoes[i]));
        }
    }

    [Fact]
    public async Task A_dial_to_the_wrong_peer_id_fails_and_names_both_ids()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        using var someoneElse = IdentityKeyPair.Generate();
        var address = b.Swarm.ListenAddresses[0].WithPeerId(someoneElse.PeerId);

        var e = await Assert.ThrowsAsync<ConnectionUpgradeException>(() => a.Swarm.DialAsync(address));

        Assert.Equal(UpgradeStage.SecurityHandshake, e.Stage);
        Assert.IsType<PeerIdMismatchException>(e.InnerException);
        Assert.Contains(someoneElse.PeerId.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(b.PeerId.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Empty(a.Swarm.Connections);
    }

    [Fact]
    public async Task A_node_listening_on_the_dual_stack_any_address_accepts_ipv4_and_ipv6()
    {
        await using var server = await TestNode.StartAsync("/ip6/::/tcp/0");
        await using var v4 = await TestNode.StartAsync();
        await using var v6 = await TestNode.StartAsync("/ip6/::1/tcp/0");
        server.Swarm.ListenAddresses[0].TryGetTcpEndPoint(out var ep);
        int port = ((System.Net.IPEndPoint)ep!).Port;

        var c4 = await v4.Swarm.DialAsync(Multiaddress.Parse($"/ip4/127.0.0.1/tcp/{port}/p2p/{server.PeerId}"));
        var c6 = await v6.Swarm.DialAsync(Multiaddress.Parse($"/ip6/::1/tcp/{port}/p2p/{server.PeerId}"));

        Assert.Equal(server.PeerId, c4.RemotePeerId);
        Assert.Equal(server.PeerId, c6.RemotePeerId);
    }

    [Fact]
    public async Task A_dns_address_is_resolved()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        b.Swarm.ListenAddresses[0].TryGetTcpEndPoint(out var ep);

        var connection = await a.Swarm.DialAsync(Multiaddress.Parse($"/dns4/localhost/tcp/{((System.Net.IPEndPoint)ep!).Port}/p2p/{b.PeerId}"));

        Assert.Equal(b.PeerId, connection.RemotePeerId);
    }

    [Fact]
    public async Task Closing_a_connection_is_seen_by_the_other_side()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        var (connection, closedAtB) = await DialWatchingCloseAsync(a, b);

        await connection.CloseAsync();

        Assert.Equal(a.PeerId, await closedAtB.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Disposing_a_connection_twice_at_once_disposes_it_once_and_both_calls_finish()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        var (connection, closedAtB) = await DialWatchingCloseAsync(a, b);

        var first = connection.DisposeAsync().AsTask();
        var second = connection.DisposeAsync().AsTask();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        await connection.DisposeAsync();

        Assert.Equal(a.PeerId, await closedAtB.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Dials b from a; the task completes with the remote peer id of the first connection b sees close.</summary>
    private static async Task<(NetworkConnection Connection, Task<PeerId> ClosedAtB)> DialWatchingCloseAsync(TestNode a, TestNode b)
    {
        var closed = new TaskCompletionSource<PeerId>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Swarm.ConnectionClosed += (c, _) => closed.TrySetResult(c.RemotePeerId);
        var connection = await a.DialAsync(b);
        await b.WaitForConnectionAsync(a.PeerId);
        return (connection, closed.Task);
    }
}
