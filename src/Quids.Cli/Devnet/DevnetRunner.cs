using System.Diagnostics;
using System.Text;
using Quids.Network;
using Quids.Network.Core;

namespace Quids.Cli.Devnet;

/// <summary>
/// Runs a local network: starts the nodes on 127.0.0.1, gives every node only node 0 (the bootstrap) and lets
/// discovery (DHT lookups, then dialing from the address book) connect each to its target number of peers, sends direct messages and broadcasts, checks that each
/// arrived exactly once where it was sent, pings every link, and reports. Uses only the library's public API.
/// </summary>
internal sealed partial class DevnetRunner
{
    private readonly DevnetSettings _settings;
    private readonly DeliveryLedger _ledger = new();
    private readonly List<string> _problems = [];
    private readonly List<string> _warnings = [];
    private readonly P2PNode[] _nodes;
    private readonly Dictionary<PeerId, int> _indexOf = [];
    private string _bootstrap = "-";

    /// <summary>Wait between discovery rounds while some node is below its target.</summary>
    private static readonly TimeSpan s_discoveryPause = TimeSpan.FromMilliseconds(50);

    public DevnetRunner(DevnetSettings settings)
    {
        _settings = settings;
        _nodes = new P2PNode[settings.Nodes];
        for (int i = 0; i < _nodes.Length; i++)
        {
            int receiver = i;
            _nodes[i] = new P2PNode(new P2PNodeOptions
            {
                Port = 0,
                BindAddress = "127.0.0.1",
                // The bootstrap takes one connection from every other node, and DHT lookups may add more.
                MaxConnections = Math.Max(100, 2 * settings.Nodes),
                TargetPeerCount = settings.EffectiveTargetPeers,

                // Every devnet address is on 127.0.0.1, one address group: the book must hold all the nodes.
                MaxPeersPerAddressGroup = Math.Max(32, settings.Nodes),
                AgentVersion = $"quids-devnet/{i}",

                // A devnet is a local experiment: mDNS lets its nodes find each other too, on loopback only, so
                // nothing is announced beyond this machine. Where lo carries no multicast (a container), mDNS
                // cannot start and the bootstrap and the DHT still connect the nodes.
                EnableMdns = true,
                Mdns = new Quids.Network.Protocols.Mdns.MdnsOptions { LoopbackOnly = true },
            });
            _nodes[i].RegisterMessageHandler((_, message) => _ledger.Received(receiver, Encoding.UTF8.GetString(message.Span)));
            _indexOf[_nodes[i].PeerId] = i;
        }
    }

    public async Task<DevnetReport> RunAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        List<NodeReport> nodes;
        TimeSpan discovery;
        try
        {
            await StartAsync(progress, cancellationToken);
            discovery = await DiscoverAsync(progress, cancellationToken);
            await SendDirectAsync(progress, cancellationToken);
            await BroadcastAsync(progress, cancellationToken);
            await AwaitDeliveryAsync(progress, cancellationToken);
            nodes = await PingAndCollectAsync(progress, cancellationToken);
        }
        finally
        {
            await Task.WhenAll(_nodes.Select(async n => await n.DisposeAsync()));
        }

        return new DevnetReport(_bootstrap, nodes, _ledger.Tally(), discovery, total.Elapsed, _problems, _warnings);
    }

    private async Task StartAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        var phase = progress.Begin($"starting {_nodes.Length} nodes", _nodes.Length);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(_nodes.Select(async node =>
        {
            await node.StartAsync(cancellationToken);
            phase.Advance();
        }));
        _bootstrap = BootstrapAddress().ToString();
        int mdns = _nodes.Count(n => n.IsMdnsRunning);
        string mdnsNote = mdns == _nodes.Length
            ? "mDNS on"
            : $"mDNS could not start on {_nodes.Length - mdns} nodes (no multicast interface), they use the bootstrap and the DHT";
        phase.Complete($"started {_nodes.Length} nodes in {Seconds(watch.Elapsed)} s; {mdnsNote}");
    }

    private async Task<TimeSpan> DiscoverAsync(IDevnetProgress progress, CancellationToken cancellationToken)
    {
        int target = _settings.EffectiveTargetPeers;
        var phase = progress.Begin($"discovering peers (target {target})", _nodes.Length - 1);
        var watch = Stopwatch.StartNew();
        var bootstrap = BootstrapAddress();
        foreach (var node in _nodes.Skip(1))
        {
            node.AddBootstrapPeer(bootstrap);
        }

        // Nodes discovering at the same time only find those already known to node 0: rounds repeat for the
        // nodes still below target, each seeing more of the network, until all are there or time is up.
        var reached = new bool[_nodes.Length];
        while (watch.Elapsed < _settings.DiscoveryTimeout)
        {
            var below = Enumerable.Range(0, _nodes.Length).Where(i => PeersOf(_nodes[i]).Count < target).ToList();
            foreach (int i in Enumerable.Range(1, _nodes.Length - 1).Where(i => !reached[i] && !below.Contains(i)))
            {
                reached[i] = true;
                phase.Advance();
            }

            if (below.Count == 0)
            {
                break;
            }

            using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            round.CancelAfter(_settings.DiscoveryTimeout - watch.Elapsed);
            try
            {
                await Task.WhenAll(below.Select(i => _nodes[i].DiscoverPeersAsync(round.Token)));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            // A round that found nothing new is repeated after a pause, not in a tight loop.
            await Task.Delay(s_discoveryPause, cancellationToken);
        }

        // A dial completes on the dialer's side first; wait until both ends list every connection.
        var settleDeadline = Stopwatch.StartNew();
        while (!ConnectionsAreMutual() && settleDeadline.Elapsed < _settings.SettleTimeout)
        {
            await Task.Delay(10, cancellationToken);
        }

        var elapsed = watch.Elapsed;
        if (!ConnectionsAreMutual())
        {
            _problems.Add($"connections not seen by both ends within {Seconds(_settings.SettleTimeout)} s");
        }

        foreach (var (node, index) in _nodes.Select((n, i) => (n, i)).Where(p => PeersOf(p.n).Count < target))
        {
            _problems.Add($"node {index} has {PeersOf(node).Count} peers, below its target of {target}, after {Seconds(_settings.DiscoveryTimeout)} s of discovery");
        }

        int links = _nodes.Sum(n => PeersOf(n).Count) / 2;
        var counts = _nodes.Select(n => PeersOf(n).Count).ToList();
        phase.Complete($"discovery {Seconds(elapsed)} s: {links} connections among {_nodes.Length} nodes, {counts.Min()}-{counts.Max()} peers each (target {target})");
        return elapsed;
    }

    /// <summary>The bootstrap's IPv4 loopback address with its peer id, so a dial proves it reached node 0.</summary>
    private Multiaddress BootstrapAddress() =>
        _nodes[0].ListenAddresses.FirstOrDefault(a => a.ToString().StartsWith("/ip4/127.0.0.1/", StringComparison.Ordinal))
        ?? _nodes[0].ListenAddresses[0];

    private bool ConnectionsAreMutual()
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            foreach (var peer in PeersOf(_nodes[i]))
            {
                if (_indexOf.TryGetValue(peer, out int j) && !PeersOf(_nodes[j]).Contains(_nodes[i].PeerId))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static List<PeerId> PeersOf(P2PNode node) =>
        [.. node.Connections.Select(c => c.PeerId).OfType<PeerId>().Distinct()];

    private static string Seconds(TimeSpan time) => Commands.CliOptions.Seconds(time);
}
