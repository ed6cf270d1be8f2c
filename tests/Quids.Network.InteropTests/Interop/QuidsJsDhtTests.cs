using System.Security.Cryptography;
using System.Text;
using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Protocols.Kad;
using Quids.Network.Tests.Support;
using Xunit.Abstractions;

namespace Quids.Network.InteropTests.Interop;

// A four-node DHT on loopback: js1 - quids1 - js2 - quids2, each node dialing (hence knowing) only its right
// neighbour or being dialed by its left one. Every test builds fresh Quids nodes on the class's two js peers.
public sealed class QuidsJsDhtTests(DhtJsPeersFixture fixture, ITestOutputHelper output)
    : IClassFixture<DhtJsPeersFixture>, IAsyncLifetime
{
    private const int TestTimeoutMs = 60_000;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly List<(TestNode Node, KadService Kad)> _quids = [];

    private JsPeer Js1 => fixture.Js1;

    private JsPeer Js2 => fixture.Js2;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (node, kad) in _quids)
        {
            foreach (var line in node.Logs.Lines)
            {
                Log($"quids {node.PeerId.ToString()[^6..]}: {line}");
            }

            await kad.DisposeAsync();
            await node.DisposeAsync();
        }

        foreach (var (name, js) in new[] { ("js1", Js1), ("js2", Js2) })
        {
            foreach (var line in js.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(30))
            {
                Log($"{name}: {line}");
            }
        }
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_and_js_find_peers_they_never_connected_to_through_each_other()
    {
        var (quids1, quids2) = await BuildChainAsync();
        var js1 = PeerId.Parse(Js1.PeerId);
        Assert.Null(quids2.Node.Swarm.FindConnection(js1));
        Assert.DoesNotContain(await Js1.GetConnectionsAsync(), c => c.PeerId == quids2.Node.PeerId.ToString());

        // quids2 knows only js2; js2 knows quids1, which knows js1.
        var found = await quids2.Kad.FindPeerAsync(js1).WaitAsync(Wait);
        Assert.NotNull(found);
        Assert.Contains(found.Addresses, a => a.ToString() == Multiaddress.Parse(Js1.Ip4Address).WithoutPeerId().ToString());

        // js1 knows only quids1. js follows only answers closer to the target than the peer that gave them, so a
        // detour through js2 may be cut short in a DHT this small: quids2 meets quids1 (not js1), so that quids1
        // answers js1's FIND_NODE with quids2 itself.
        await quids2.Node.DialAsync(quids1.Node);
        await WaitForTableAsync(quids1.Kad, quids2.Node.PeerId);
        Assert.DoesNotContain(await Js1.GetConnectionsAsync(), c => c.PeerId == quids2.Node.PeerId.ToString() && c.Status == "open");
        var addresses = await Js1.DhtFindPeerAsync(quids2.Node.PeerId.ToString(), Wait);
        Assert.Contains(quids2.Node.Swarm.ListenAddresses[0].ToString(), addresses.Select(WithoutP2p));
        Assert.Contains(quids1.Node.PeerId.ToString(), await Js2.DhtClosestPeersAsync(quids1.Node.PeerId.ToString(), Wait));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task After_bootstrap_js_routing_tables_hold_the_Quids_nodes_and_the_reverse()
    {
        var (quids1, quids2) = await BuildChainAsync();

        await quids2.Kad.BootstrapAsync().WaitAsync(Wait);
        await quids1.Kad.BootstrapAsync().WaitAsync(Wait);
        await Js1.DhtClosestPeersAsync(Js1.PeerId, Wait);

        var jsIds = new[] { Js1.PeerId, Js2.PeerId };
        var quidsIds = new[] { quids1.Node.PeerId.ToString(), quids2.Node.PeerId.ToString() };
        foreach (var (_, kad) in new[] { quids1, quids2 })
        {
            var table = kad.RoutingTablePeers.Select(p => p.PeerId.ToString()).ToArray();
            Assert.All(jsIds, id => Assert.Contains(id, table));
        }

        // Each side is in the other's table because each advertises the DHT protocol in identify.
        Assert.Contains(KadProtocol.Id, (await Js2.IdentifyAsync(quids1.Node.PeerId.ToString())).Protocols);
        var js2Info = await quids1.Node.Identify.GetRemoteInfoAsync(quids1.Node.Swarm.FindConnection(PeerId.Parse(Js2.PeerId))!).WaitAsync(Wait);
        Assert.Contains(KadProtocol.Id, js2Info!.Protocols);
        foreach (var js in new[] { Js1, Js2 })
        {
            var table = await WaitForRoutingTableAsync(js, quidsIds);
            Assert.All(quidsIds, id => Assert.Contains(id, table));
        }
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_js_node_in_client_mode_stays_out_of_Quids_tables_yet_finds_peers_through_Quids()
    {
        var (quids1, quids2) = await BuildChainAsync();
        await using var client = await JsPeer.StartAsync(new JsPeerOptions { DhtClientMode = true });
        Assert.DoesNotContain(KadProtocol.Id, client.Protocols);

        await client.DialAsync(quids1.Node.Address.ToString());
        var connection = await quids1.Node.WaitForConnectionAsync(PeerId.Parse(client.PeerId), Wait);
        var info = await quids1.Node.Identify.GetRemoteInfoAsync(connection).WaitAsync(Wait);
        Assert.NotNull(info);
        Assert.DoesNotContain(KadProtocol.Id, info.Protocols);

        // js follows only answers closer to the target than the peer that gave them, so in a DHT this small a
        // detour through js2 may be cut short: quids2's bootstrap (via js2 to quids1) lets quids1 answer directly.
        await quids2.Kad.BootstrapAsync().WaitAsync(Wait);
        await WaitForTableAsync(quids1.Kad, quids2.Node.PeerId);
        await WaitForRoutingTableAsync(client, [quids1.Node.PeerId.ToString()]);
        var addresses = await client.DhtFindPeerAsync(quids2.Node.PeerId.ToString(), Wait);
        Assert.Contains(quids2.Node.Swarm.ListenAddresses[0].ToString(), addresses.Select(WithoutP2p));
        Assert.DoesNotContain(quids1.Kad.RoutingTablePeers, p => p.PeerId.ToString() == client.PeerId);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Values_cross_both_ways_with_PUT_VALUE_and_GET_VALUE()
    {
        var (quids1, quids2) = await BuildChainAsync();

        // PUT_VALUE from Quids: js acknowledges by echoing the record.
        byte[] fromQuids = Key("from-quids");
        Assert.Equal(3, await quids2.Kad.PutValueAsync(fromQuids, "put by quids"u8.ToArray()).WaitAsync(Wait));
        Assert.Equal("put by quids"u8.ToArray(), (await Js2.DhtGetAsync(fromQuids, Wait)).Value);

        // GET_VALUE served by Quids: the value is only in quids1's store.
        byte[] onlyOnQuids = Key("only-on-quids");
        Assert.Equal(KadStoreResult.Stored, quids1.Kad.Records.Put(onlyOnQuids, "stored on quids1"u8));
        var (value, from) = await Js1.DhtGetAsync(onlyOnQuids, Wait);
        Assert.Equal("stored on quids1"u8.ToArray(), value);
        Assert.Equal(quids1.Node.PeerId.ToString(), from);

        // PUT_VALUE from js2 (which knows both Quids nodes): Quids stores it and echoes the record, which js checks.
        byte[] fromJs = Key("from-js");
        var acknowledged = await Js2.DhtPutAsync(fromJs, "put by js"u8.ToArray(), Wait);
        Assert.Contains(quids1.Node.PeerId.ToString(), acknowledged);
        Assert.Contains(quids2.Node.PeerId.ToString(), acknowledged);
        Assert.True(quids1.Kad.Records.TryGet(fromJs, out var stored, out _));
        Assert.Equal("put by js"u8.ToArray(), stored);

        // GET_VALUE served by js: a Quids node joining through js2 alone asks js2 first, which stored its own put.
        var quids3 = await JoinThroughJs2Async();
        Assert.Equal("put by js"u8.ToArray(), await quids3.Kad.GetValueAsync(fromJs).WaitAsync(Wait));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Providers_cross_both_ways_with_ADD_PROVIDER_and_GET_PROVIDERS()
    {
        var (quids1, quids2) = await BuildChainAsync();

        // ADD_PROVIDER from Quids.
        byte[] providedByQuids = Multihash("provided by quids");
        Assert.Equal(3, await quids2.Kad.ProvideAsync(providedByQuids).WaitAsync(Wait));
        var provider = Assert.Single(await Js1.DhtFindProvidersAsync(providedByQuids, count: 1, timeout: Wait));
        Assert.Equal(quids2.Node.PeerId.ToString(), provider.PeerId);
        Assert.Contains(quids2.Node.Swarm.ListenAddresses[0].ToString(), provider.Addresses.Select(WithoutP2p));

        // GET_PROVIDERS served by Quids: only quids1 knows the provider.
        byte[] knownToQuids = Multihash("known to quids1");
        var self = new KadPeerInfo(quids1.Node.PeerId, quids1.Node.Swarm.ListenAddresses);
        Assert.Equal(KadStoreResult.Stored, quids1.Kad.Providers.Add(knownToQuids, self));
        var served = Assert.Single(await Js1.DhtFindProvidersAsync(knownToQuids, count: 1, timeout: Wait));
        Assert.Equal(quids1.Node.PeerId.ToString(), served.PeerId);
        Assert.Contains(quids1.Node.Swarm.ListenAddresses[0].ToString(), served.Addresses.Select(WithoutP2p));

        // ADD_PROVIDER from js2, then GET_PROVIDERS served by js2 (it keeps itself as a provider) to a Quids node
        // joining through js2 alone.
        byte[] providedByJs = Multihash("provided by js");
        await Js2.DhtProvideAsync(providedByJs, Wait);
        // ADD_PROVIDER has no answer: js is done once it wrote it, quids1 may still be reading.
        await WaitUntilAsync(() => quids1.Kad.Providers.Contains(providedByJs, PeerId.Parse(Js2.PeerId)), "quids1 stored js2's ADD_PROVIDER");

        // js writes /p2p/<itself> after each provider address; Quids stores the bare address, as everywhere else.
        var stored = Assert.Single(quids1.Kad.Providers.Get(providedByJs), p => p.PeerId.ToString() == Js2.PeerId);
        Assert.Contains(Multiaddress.Parse(WithoutP2p(Js2.Ip4Address)), stored.Addresses);
        Assert.All(stored.Addresses, a => Assert.Null(a.GetPeerId()));
        var quids3 = await JoinThroughJs2Async();
        var jsProvider = Assert.Single(await quids3.Kad.FindProvidersAsync(providedByJs, maxCount: 1).WaitAsync(Wait));
        Assert.Equal(Js2.PeerId, jsProvider.PeerId.ToString());
        Assert.Contains(Multiaddress.Parse(WithoutP2p(Js2.Ip4Address)), jsProvider.Addresses);
    }

    private async Task<(TestNode Node, KadService Kad)> JoinThroughJs2Async()
    {
        var quids = await StartQuidsAsync();
        await quids.Node.Swarm.DialAsync(Multiaddress.Parse(Js2.Ip4Address));
        await WaitForTableAsync(quids.Kad, PeerId.Parse(Js2.PeerId));
        Assert.Equal(1, quids.Kad.RoutingTableSize);
        return quids;
    }

    // js1 -> quids1 -> js2 <- quids2 (arrows are dials); returns once every node has its neighbours in its table.
    private async Task<((TestNode Node, KadService Kad) Quids1, (TestNode Node, KadService Kad) Quids2)> BuildChainAsync()
    {
        var quids1 = await StartQuidsAsync();
        var quids2 = await StartQuidsAsync();

        await Js1.DialAsync(quids1.Node.Address.ToString());
        await quids1.Node.Swarm.DialAsync(Multiaddress.Parse(Js2.Ip4Address));
        await quids2.Node.Swarm.DialAsync(Multiaddress.Parse(Js2.Ip4Address));

        await WaitForTableAsync(quids1.Kad, PeerId.Parse(Js1.PeerId), PeerId.Parse(Js2.PeerId));
        await WaitForTableAsync(quids2.Kad, PeerId.Parse(Js2.PeerId));
        await WaitForRoutingTableAsync(Js1, [quids1.Node.PeerId.ToString()]);
        await WaitForRoutingTableAsync(Js2, [quids1.Node.PeerId.ToString(), quids2.Node.PeerId.ToString()]);
        return (quids1, quids2);
    }

    private async Task<(TestNode Node, KadService Kad)> StartQuidsAsync()
    {
        var node = await TestNode.StartAsync();
        var kad = new KadService(node.Swarm, node.Identify, new KadOptions
        {
            RefreshInterval = Timeout.InfiniteTimeSpan,
            RequestTimeout = TimeSpan.FromSeconds(5),
            LookupTimeout = TimeSpan.FromSeconds(10),
        });
        _quids.Add((node, kad));
        return (node, kad);
    }

    private static Task WaitForTableAsync(KadService kad, params PeerId[] peers) =>
        WaitUntilAsync(
            () => peers.All(p => kad.RoutingTablePeers.Any(e => e.PeerId == p)),
            $"the Quids routing table holds {string.Join(", ", peers.Select(p => p.ToString()))}");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<IReadOnlyList<string>> WaitForRoutingTableAsync(JsPeer js, IReadOnlyList<string> peers)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var table = await js.DhtRoutingTableAsync();
            if (peers.All(table.Contains))
            {
                return table;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"js {js.PeerId} has only {string.Join(", ", table)} in its routing table.");
            }

            await Task.Delay(50);
        }
    }

    // js accepts any value under /quids/ (its validator for that namespace); a fresh suffix per test run.
    private static byte[] Key(string name) => Encoding.UTF8.GetBytes($"/quids/{name}/{Guid.NewGuid():N}");

    // The multihash of a CID, as js's provide and findProviders use: sha2-256 (0x12), 32 bytes (0x20).
    private static byte[] Multihash(string content) =>
        [0x12, 0x20, .. SHA256.HashData(Encoding.UTF8.GetBytes(content + Guid.NewGuid()))];

    private static string WithoutP2p(string address) =>
        address.Contains("/p2p/", StringComparison.Ordinal) ? address[..address.IndexOf("/p2p/", StringComparison.Ordinal)] : address;

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // No test is running any more; the line is only diagnostic.
        }
    }
}
