using Microsoft.Extensions.Time.Testing;
using Quids.Network.Core;
using Quids.Network.Network;

namespace Quids.Network.Tests.Node;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task Ten_nodes_that_know_only_node_0_all_reach_their_target()
    {
        const int Target = 5;
        var nodes = new List<P2PNode>();
        try
        {
            nodes.Add(await NodeTests.StartAsync(o => o.TargetPeerCount = Target));
            var bootstrap = nodes[0].ListenAddresses[0];
            for (int i = 1; i < 10; i++)
            {
                nodes.Add(await NodeTests.StartAsync(o =>
                {
                    o.TargetPeerCount = Target;
                    o.BootstrapPeers.Add(bootstrap);
                }));
            }

            // Nodes that run at the same time may find few others yet: a second round sees everyone.
            for (int round = 0; round < 3 && nodes.Any(n => n.Connections.Count < Target); round++)
            {
                await Task.WhenAll(nodes.Where(n => n.Connections.Count < Target).Select(n => n.DiscoverPeersAsync()));
            }

            Assert.All(nodes, n => Assert.True(n.Connections.Count >= Target, $"{n.PeerId} has {n.Connections.Count} peers"));
            Assert.All(nodes.Skip(1), n => Assert.True(n.AddressBook!.Count >= Target, $"{n.PeerId} knows {n.AddressBook!.Count} peers"));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(async n => await n.DisposeAsync()));
        }
    }

    [Fact]
    public async Task The_discovery_timer_replaces_a_peer_that_left()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var peers = new List<P2PNode>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                peers.Add(await NodeTests.StartAsync());
            }

            await using var node = await NodeTests.StartAsync(o =>
            {
                o.TargetPeerCount = 2;
                o.TimeProvider = time;
            });
            foreach (var peer in peers)
            {
                node.AddressBook!.Add(peer.PeerId, peer.ListenAddresses, AddressSource.Manual);
            }

            Assert.Equal(2, await node.DiscoverPeersAsync());
            var leaving = peers.Single(p => p.PeerId == node.Connections.First().PeerId);
            var spare = peers.Single(p => node.Connections.All(c => c.PeerId != p.PeerId));
            await leaving.StopAsync();
            await NodeTests.EventuallyAsync(() => node.Connections.Count == 1, "the node sees the peer leave");

            time.Advance(TimeSpan.FromSeconds(30));

            await NodeTests.EventuallyAsync(() => node.Connections.Any(c => c.PeerId == spare.PeerId) && node.Connections.Count == 2, "the timer connects the spare peer");
            Assert.NotNull(node.AddressBook!.Get(leaving.PeerId)?.RetryAfter);
        }
        finally
        {
            await Task.WhenAll(peers.Select(async n => await n.DisposeAsync()));
        }
    }

    [Fact]
    public async Task A_restarted_node_reconnects_from_its_address_book_without_bootstrap_peers()
    {
        string directory = Path.Combine(Path.GetTempPath(), "quids-discovery-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var b = await NodeTests.StartAsync();
            PeerId first;
            await using (var a = await NodeTests.StartAsync(o =>
            {
                o.DataDirectory = directory;
                o.BootstrapPeers.Add(b.ListenAddresses[0]);
            }))
            {
                first = a.PeerId;
                await NodeTests.EventuallyAsync(() => a.Connections.Any(c => c.PeerId == b.PeerId), "a joins b");
            }

            Assert.True(File.Exists(Path.Combine(directory, "peers.json")));
            Assert.True(File.Exists(Path.Combine(directory, "identity.key")));
            await NodeTests.EventuallyAsync(() => b.Connections.Count == 0, "b sees a leave");

            await using var restarted = await NodeTests.StartAsync(o => o.DataDirectory = directory);

            Assert.Equal(first, restarted.PeerId);
            await NodeTests.EventuallyAsync(() => restarted.Connections.Any(c => c.PeerId == b.PeerId), "the restarted node reconnects to b");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Without_the_dht_discovery_still_connects_the_bootstrap_peers()
    {
        await using var boot = await NodeTests.StartAsync(o => o.EnableDht = false);
        await using var node = await NodeTests.StartAsync(o =>
        {
            o.EnableDht = false;
            o.BootstrapPeers.Add(boot.ListenAddresses[0]);
        });

        Assert.Equal(1, await node.DiscoverPeersAsync());
        Assert.NotNull(node.AddressBook!.Get(boot.PeerId));
    }

    [Fact]
    public void Discovery_options_have_documented_defaults_and_are_validated()
    {
        var options = new P2PNodeOptions();
        Assert.Equal(16, options.TargetPeerCount);
        Assert.Null(options.DataDirectory);
        Assert.True(options.EnableDht);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DiscoveryInterval);
        Assert.Equal(32, options.MaxPeersPerAddressGroup);
        Assert.Equal(5, new P2PNodeOptions { MaxConnections = 5 }.EffectiveTargetPeerCount);

        Assert.Contains("TargetPeerCount", Assert.Throws<ArgumentException>(() => new P2PNodeOptions { TargetPeerCount = -1 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("DiscoveryInterval", Assert.Throws<ArgumentException>(() => new P2PNodeOptions { DiscoveryInterval = TimeSpan.Zero }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("DataDirectory", Assert.Throws<ArgumentException>(() => new P2PNodeOptions { DataDirectory = " " }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("MaxPeersPerAddressGroup", Assert.Throws<ArgumentException>(() => new P2PNodeOptions { MaxPeersPerAddressGroup = 0 }.Validate()).Message, StringComparison.Ordinal);
    }
}
