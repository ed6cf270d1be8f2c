namespace Quids.Cli.Devnet;

/// <summary>What <c>quids devnet</c> runs: how many nodes and how much traffic, and how long it waits.</summary>
internal sealed record DevnetSettings
{
    /// <summary>Nodes started in-process on 127.0.0.1; node 0 is the bootstrap. Defaults to 10.</summary>
    public int Nodes { get; init; } = 10;

    /// <summary>
    /// Connections each node's discovery works towards, knowing only node 0 at first. Defaults to 0, which
    /// means min(<see cref="Nodes"/> - 1, 16): a full mesh up to 17 nodes, the library's default target above.
    /// A value above <see cref="Nodes"/> - 1 is lowered to it, the most a node can have.
    /// </summary>
    public int TargetPeers { get; init; }

    /// <summary>The target each node works towards: <see cref="TargetPeers"/> resolved as documented there.</summary>
    public int EffectiveTargetPeers => Math.Min(Nodes - 1, TargetPeers == 0 ? DefaultTargetPeers : TargetPeers);

    /// <summary>
    /// Longest time discovery may take until every node holds its target. Defaults to 60 s: 50 nodes take
    /// 18-29 s on a heavily loaded 2-core machine (every DHT lookup dials and handshakes), so twice that.
    /// </summary>
    public TimeSpan DiscoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The library's default target (<c>P2PNodeOptions.TargetPeerCount</c>).</summary>
    private const int DefaultTargetPeers = 16;

    /// <summary>Direct messages each node sends, spread round-robin over its peers. Defaults to 100.</summary>
    public int Messages { get; init; } = 100;

    /// <summary>Broadcasts each node makes to all its peers. Defaults to 3: enough to exercise fan-out.</summary>
    public int Broadcasts { get; init; } = 3;

    /// <summary>
    /// Longest wait for connections to settle after discovery (both ends registered). Defaults to 5 s: a
    /// loopback handshake takes milliseconds, so this only runs out when something is wrong.
    /// </summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest wait, after the last send, for in-flight messages to arrive. Defaults to 10 s; a message still
    /// missing then counts as lost.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for one ping; a peer that misses it shows no RTT. Defaults to 5 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends in flight at once per node. Defaults to 64: enough to fill the library's batches, while the
    /// library's per-peer queue bound stays the back-pressure.
    /// </summary>
    public int SendConcurrency { get; init; } = 64;
}
