using System.IO.Pipelines;
using Google.Protobuf;
using Quids.Network.Protocols.Kad;
using Quids.Network.Protocols.Kad.Wire;
using Quids.Network.Tests.Support;
using MessageType = Quids.Network.Protocols.Kad.Wire.KadMessage.Types.MessageType;

namespace Quids.Network.Tests.Protocols.Kad;

public class KadServiceTests
{
    [Fact]
    public async Task Ten_nodes_that_know_only_node_0_find_each_other_after_bootstrapping()
    {
        var nodes = await KadTestNode.StartManyAsync(10);
        try
        {
            foreach (var node in nodes.Skip(1))
            {
                await node.Node.DialAsync(nodes[0].Node);
            }

            await KadTestNode.WaitUntilAsync(() => nodes.Skip(1).All(n => n.Kad.RoutingTableSize >= 1) && nodes[0].Kad.RoutingTableSize == 9, "identify fed every table");
            foreach (var node in nodes.Skip(1))
            {
                await node.Kad.BootstrapAsync();
            }

            foreach (var seeker in nodes)
            {
                foreach (var sought in nodes.Where(n => n != seeker))
                {
                    var found = await seeker.Kad.FindPeerAsync(sought.PeerId);
                    Assert.NotNull(found);
                    Assert.Contains(sought.Node.Swarm.ListenAddresses[0], found.Addresses);
                }
            }

            Assert.All(nodes, n => Assert.Equal(9, n.Kad.RoutingTableSize));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Finds_a_peer_it_has_never_met_through_a_lookup()
    {
        var nodes = await KadTestNode.StartManyAsync(4);
        try
        {
            await nodes[1].Node.DialAsync(nodes[0].Node);
            await nodes[2].Node.DialAsync(nodes[0].Node);
            await nodes[3].Node.DialAsync(nodes[0].Node);
            await KadTestNode.WaitUntilAsync(() => nodes[0].Kad.RoutingTableSize == 3 && nodes[3].Kad.RoutingTableSize == 1, "identify fed the tables");

            var found = await nodes[3].Kad.FindPeerAsync(nodes[1].PeerId);

            Assert.NotNull(found);
            Assert.Contains(nodes[1].Node.Swarm.ListenAddresses[0], found.Addresses);
            var closest = await nodes[3].Kad.GetClosestPeersAsync(nodes[2].PeerId.Bytes);
            Assert.Equal(nodes[2].PeerId, closest[0].PeerId);
            Assert.Equal(3, closest.Count);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Stores_values_and_provider_records_on_other_nodes()
    {
        var nodes = await KadTestNode.StartManyAsync(4);
        try
        {
            foreach (var node in nodes.Skip(1))
            {
                await node.Node.DialAsync(nodes[0].Node);
            }

            await KadTestNode.WaitUntilAsync(() => nodes[0].Kad.RoutingTableSize == 3, "identify fed node 0");
            await Task.WhenAll(nodes.Skip(1).Select(n => n.Kad.BootstrapAsync()));

            Assert.True(await nodes[1].Kad.PutValueAsync("/quids/key"u8.ToArray(), "hello"u8.ToArray()) >= 1);
            Assert.Equal("hello"u8.ToArray(), await nodes[3].Kad.GetValueAsync("/quids/key"u8.ToArray()));
            Assert.Null(await nodes[3].Kad.GetValueAsync("/quids/missing"u8.ToArray()));

            Assert.True(await nodes[2].Kad.ProvideAsync("content-id"u8.ToArray()) >= 1);
            var providers = await nodes[3].Kad.FindProvidersAsync("content-id"u8.ToArray());
            var provider = Assert.Single(providers);
            Assert.Equal(nodes[2].PeerId, provider.PeerId);
            Assert.Contains(nodes[2].Node.Swarm.ListenAddresses[0], provider.Addresses);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_refresh_finds_the_neighbours_of_the_bootstrap_peer()
    {
        var nodes = await KadTestNode.StartManyAsync(3);
        try
        {
            await nodes[1].Node.DialAsync(nodes[0].Node);
            await nodes[2].Node.DialAsync(nodes[0].Node);
            await KadTestNode.WaitUntilAsync(() => nodes[0].Kad.RoutingTableSize == 2 && nodes[1].Kad.RoutingTableSize == 1, "identify fed the tables");

            await nodes[1].Kad.RefreshAsync();

            Assert.Contains(nodes[1].Kad.RoutingTablePeers, p => p.PeerId == nodes[2].PeerId);
            Assert.False(nodes[1].Node.Logs.Contains("refresh failed"));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_full_bucket_evicts_its_least_recently_seen_peer_when_it_fails_the_ping()
    {
        await using var a = await KadTestNode.StartAsync(o => o.BucketSize = 1);
        var dead = KadTestPeers.InBucket(a.PeerId, 255);
        var newcomer = KadTestPeers.InBucket(a.PeerId, 255);
        a.Kad.AddPeer(dead, [Quids.Network.Core.Multiaddress.Parse("/ip4/127.0.0.1/tcp/1")]);

        Assert.Equal(KadAddResult.BucketFull, a.Kad.AddPeer(newcomer, [Quids.Network.Core.Multiaddress.Parse("/ip4/127.0.0.1/tcp/2")]));

        await a.Node.Logs.WaitForAsync("did not answer a ping");
        Assert.Equal(newcomer, Assert.Single(a.Kad.RoutingTablePeers).PeerId);
    }

    [Fact]
    public async Task A_full_bucket_keeps_its_least_recently_seen_peer_while_it_is_alive()
    {
        await using var a = await KadTestNode.StartAsync(o => o.BucketSize = 1);
        await using var b = await KadTestNode.StartAsync();
        await b.Node.DialAsync(a.Node);
        await KadTestNode.WaitUntilAsync(() => a.Kad.RoutingTableSize == 1, "identify added b");
        int bucket = Quids.Network.Protocols.Kad.KadRoutingTable.BucketIndex(KadKey.ForPeer(a.PeerId), KadKey.ForPeer(b.PeerId));
        var newcomer = KadTestPeers.InBucket(a.PeerId, bucket);

        Assert.Equal(KadAddResult.BucketFull, a.Kad.AddPeer(newcomer, [Quids.Network.Core.Multiaddress.Parse("/ip4/127.0.0.1/tcp/2")]));

        await Task.Delay(100);
        Assert.Equal(b.PeerId, Assert.Single(a.Kad.RoutingTablePeers).PeerId);
    }

    [Fact]
    public async Task A_lookup_forgets_a_table_peer_that_cannot_be_reached()
    {
        await using var a = await KadTestNode.StartAsync();
        var gone = KadTestPeers.Random();
        a.Kad.AddPeer(gone, [Quids.Network.Core.Multiaddress.Parse("/ip4/127.0.0.1/tcp/1")]);

        var closest = await a.Kad.GetClosestPeersAsync("anything"u8.ToArray());

        Assert.Empty(closest);
        Assert.Equal(0, a.Kad.RoutingTableSize);
        Assert.True(a.Node.Logs.Contains("failed a query and is not connected"));
    }

    [Fact]
    public async Task Does_not_add_a_peer_that_does_not_serve_the_DHT()
    {
        await using var server = await KadTestNode.StartAsync();
        await using var client = await TestNode.StartAsync();

        await client.DialAsync(server.Node);

        await server.Node.Logs.WaitForAsync("does not advertise /ipfs/kad/1.0.0");
        Assert.Equal(0, server.Kad.RoutingTableSize);
    }

    [Theory]
    [InlineData("81808002", "limit is 4194304")] // a length prefix of 4 MiB + 1
    [InlineData("03FFFFFF", "not a valid DHT protobuf")]
    [InlineData("0408041200", "has no key")] // FIND_NODE with an empty key
    public async Task Resets_the_stream_of_a_bad_message_with_a_logged_reason_and_keeps_the_connection(string hex, string reason)
    {
        await using var a = await KadTestNode.StartAsync();
        await using var b = await KadTestNode.StartAsync();
        var connection = await a.Node.DialAsync(b.Node);

        var stream = await connection.OpenStreamAsync(KadProtocol.Id, TimeSpan.FromSeconds(5));
        await using (stream)
        {
            await stream.Output.WriteAsync(Convert.FromHexString(hex));
            await DrainAsync(stream.Input);
        }

        var line = await b.Node.Logs.WaitForAsync("kad: stream from");
        Assert.Contains(reason, line, StringComparison.Ordinal);
        await a.Node.Ping.PingAsync(connection);
    }

    [Fact]
    public async Task Refuses_a_record_above_the_size_limit()
    {
        await using var a = await KadTestNode.StartAsync();
        await using var b = await KadTestNode.StartAsync();
        var connection = await a.Node.DialAsync(b.Node);
        var put = new KadMessage { Type = MessageType.PutValue, Key = ByteString.CopyFromUtf8("k") };
        put.Record = new Quids.Network.Protocols.Kad.Wire.KadRecord { Key = put.Key, Value = ByteString.CopyFrom(new byte[(16 * 1024) + 1]) };

        var stream = await connection.OpenStreamAsync(KadProtocol.Id, TimeSpan.FromSeconds(5));
        await using (stream)
        {
            await KadProtocol.SendAsync(stream.Output, put);
            await DrainAsync(stream.Input);
        }

        Assert.Contains("limit is 16384", await b.Node.Logs.WaitForAsync("record from"), StringComparison.Ordinal);
        Assert.Equal(0, b.Kad.Records.Count);
    }

    [Fact]
    public async Task Cuts_off_a_FIND_NODE_flood_from_one_peer()
    {
        await using var a = await KadTestNode.StartAsync();
        await using var b = await KadTestNode.StartAsync(o => o.MaxRequestsPerPeerPerSecond = 5);
        var connection = await a.Node.DialAsync(b.Node);

        var stream = await connection.OpenStreamAsync(KadProtocol.Id, TimeSpan.FromSeconds(5));
        await using (stream)
        {
            for (int i = 0; i < 50; i++)
            {
                KadProtocol.WriteMessage(stream.Output, new KadMessage { Type = MessageType.FindNode, Key = ByteString.CopyFrom((byte)i) });
            }

            await stream.Output.FlushAsync();
            await DrainAsync(stream.Input);
        }

        await b.Node.Logs.WaitForAsync("over the limit of 5 requests per second");
    }

    [Fact]
    public async Task Rejects_unspecified_addresses_and_our_own_from_other_peers()
    {
        await using var a = await KadTestNode.StartAsync();
        var stranger = KadTestPeers.Random();
        var own = a.Node.Swarm.ListenAddresses[0];
        var good = Quids.Network.Core.Multiaddress.Parse("/ip4/192.168.1.2/tcp/4001");

        a.Kad.AddPeer(stranger, [Quids.Network.Core.Multiaddress.Parse("/ip4/0.0.0.0/tcp/4001"), own, good]);

        Assert.Equal([good], Assert.Single(a.Kad.RoutingTablePeers).Addresses);
        Assert.True(a.Node.Logs.Contains("is unspecified"));
        Assert.True(a.Node.Logs.Contains("one of our own listen addresses"));
    }

    private static async Task DrainAsync(PipeReader input)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The server resets the stream: what the test provokes.
        }
    }
}
