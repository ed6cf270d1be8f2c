using System.Net;
using Quids.Network.Core;
using Quids.Network.Protocols.Mdns;

namespace Quids.Network;

/// <summary>
/// The settings of a <see cref="P2PNode"/>: the seed's <c>P2PNode::Config</c> with its defaults, plus identity,
/// bootstrap peers and agent version. Validated once by <see cref="P2PNode.StartAsync"/>.
/// </summary>
public sealed class P2PNodeOptions
{
    /// <summary>The TCP port to listen on; 0 picks a free port. Defaults to 8080, as the seed.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Most peer connections, inbound and outbound together. Defaults to 100, as the seed.</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>
    /// The largest application message, in bytes, sent or accepted. Defaults to 1 MiB, the seed's
    /// buffer_size. Buffers are pooled and sized to the traffic, so this is a limit, not a per-connection cost.
    /// </summary>
    public int BufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// The address to listen on: an IPv4 or IPv6 address; <c>::</c> listens on IPv4 and IPv6 at once.
    /// Defaults to <c>0.0.0.0</c>, as the seed.
    /// </summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>How often each connection is pinged. Defaults to 30 s, as the seed.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection that shows no traffic and answers no ping for this long is closed and reported.
    /// Defaults to 60 s, as the seed.
    /// </summary>
    public TimeSpan ConnectionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The file holding the node's Ed25519 identity key (created, owner-only, if missing). Defaults to null:
    /// a new identity each start, unless <see cref="Identity"/> is set.
    /// </summary>
    public string? IdentityKeyFile { get; set; }

    /// <summary>An identity to use instead of <see cref="IdentityKeyFile"/>. The node does not dispose it.</summary>
    public IdentityKeyPair? Identity { get; set; }

    /// <summary>Bootstrap peers (<c>/ip4/…/tcp/…[/p2p/…]</c>), kept connected. Defaults to none.</summary>
    public IList<Multiaddress> BootstrapPeers { get; } = [];

    /// <summary>The agent version identify reports to peers. Defaults to <c>quids/&lt;version&gt;</c>.</summary>
    public string AgentVersion { get; set; } = "quids/" + typeof(P2PNodeOptions).Assembly.GetName().Version?.ToString(3);

    /// <summary>
    /// Longest time for the TCP connect plus the security and muxer handshakes of one connection.
    /// Defaults to 10 s.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before re-dialling a lost persistent or bootstrap peer; doubles per failure. Defaults to 1 s.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between re-dials of a persistent or bootstrap peer. Defaults to 60 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Most application messages written into one peer's send buffer between two flushes of it (with at most 64 KiB
    /// of message bytes); the send that reaches it flushes. Beyond the buffer's room,
    /// <see cref="P2PNode.SendMessageToPeerAsync(Core.PeerId, ReadOnlyMemory{byte}, CancellationToken)"/> waits
    /// (back-pressure instead of unbounded memory). Defaults to 4096.
    /// </summary>
    public int MaxQueuedMessagesPerPeer { get; set; } = 4096;

    /// <summary>
    /// Connections discovery works towards: below it, <see cref="P2PNode.DiscoverPeersAsync"/> (and its timer)
    /// dials peers from the address book; 0 turns that dialing off. Peers that dial us, and DHT queries, can add
    /// more. Capped by <see cref="MaxConnections"/>. Defaults to 16: enough paths that a message or a lookup
    /// survives several peers leaving, few enough that a node on a home link keeps up with all of them.
    /// </summary>
    public int TargetPeerCount { get; set; } = 16;

    /// <summary>
    /// A directory for the node's state: the address book in <c>peers.json</c> (loaded at start, saved at stop
    /// and on the discovery timer when it changed) and, when <see cref="IdentityKeyFile"/> and
    /// <see cref="Identity"/> are null, the identity in <c>identity.key</c>. Created if missing. Defaults to
    /// null: nothing is persisted.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Run the Kademlia DHT (<c>/ipfs/kad/1.0.0</c>, server mode): answer peers' lookups and use lookups to
    /// find peers. Defaults to true; when false, discovery only uses bootstrap peers, the saved address book and
    /// what identify reports.
    /// </summary>
    public bool EnableDht { get; set; } = true;

    /// <summary>
    /// How often discovery runs in the background while the node holds fewer than <see cref="TargetPeerCount"/>
    /// connections (it also runs once at start); the address book is saved on the same tick when it changed.
    /// Defaults to 30 s: a lost peer is replaced within half a minute, and an idle node costs one check.
    /// </summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most peers the address book keeps with an address in one network group (IPv4 /16, IPv6 /32, all DNS
    /// names together), so one operator's network cannot fill it. Defaults to 32. Every loopback address is in
    /// one group: a local network of more than 32 nodes (the devnet) raises it.
    /// </summary>
    public int MaxPeersPerAddressGroup { get; set; } = 32;

    /// <summary>
    /// Whether the node answers <c>/perf/1.0.0</c> (bulk upload/download measurement). Defaults to false: the
    /// perf spec says it SHOULD NOT be on by default, since it lets any peer make the node send data.
    /// </summary>
    public bool EnablePerfServer { get; set; }

    /// <summary>
    /// Find peers on the local link with libp2p mDNS (<c>_p2p._udp.local</c> on 224.0.0.251/ff02::fb, port 5353):
    /// answer queries with our listen addresses, add peers that answer to the address book and dial them while
    /// below <see cref="TargetPeerCount"/>. Defaults to false: a library should not multicast on every interface
    /// and announce its addresses to the whole link unless the application asked for it (a CLI node opts in with
    /// <c>--mdns</c>). A host without a multicast interface logs a warning and the node runs without it.
    /// </summary>
    public bool EnableMdns { get; set; }

    /// <summary>The mDNS settings (query interval, port, IPv6…), used when <see cref="EnableMdns"/> is true.</summary>
    public MdnsOptions Mdns { get; set; } = new();

    /// <summary>The clock; tests inject a fake one. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal IPAddress ParsedBindAddress => IPAddress.Parse(BindAddress);

    /// <summary><see cref="TargetPeerCount"/> capped by <see cref="MaxConnections"/>.</summary>
    internal int EffectiveTargetPeerCount => Math.Min(TargetPeerCount, MaxConnections);

    internal string? AddressBookFile => DataDirectory is null ? null : Path.Combine(DataDirectory, "peers.json");

    internal string? EffectiveIdentityKeyFile => IdentityKeyFile ?? (DataDirectory is null ? null : Path.Combine(DataDirectory, "identity.key"));

    /// <summary>Checks every setting and names the first that is wrong.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        Check(Port is >= 0 and <= 65535, $"Port must be 0-65535, not {Port}.");
        Check(MaxConnections >= 1, $"MaxConnections must be at least 1, not {MaxConnections}.");
        Check(BufferSize is >= 1 and <= 64 * 1024 * 1024, $"BufferSize must be 1 byte to 64 MiB, not {BufferSize}.");
        Check(IPAddress.TryParse(BindAddress, out _), $"BindAddress '{BindAddress}' is not an IPv4 or IPv6 address.");
        Check(PingInterval > TimeSpan.Zero, "PingInterval must be positive.");
        Check(ConnectionTimeout > PingInterval, $"ConnectionTimeout ({ConnectionTimeout}) must be longer than PingInterval ({PingInterval}).");
        Check(HandshakeTimeout > TimeSpan.Zero, "HandshakeTimeout must be positive.");
        Check(ReconnectInitialDelay > TimeSpan.Zero && ReconnectMaxDelay >= ReconnectInitialDelay, "ReconnectInitialDelay must be positive and at most ReconnectMaxDelay.");
        Check(MaxQueuedMessagesPerPeer >= 1, "MaxQueuedMessagesPerPeer must be at least 1.");
        Check(!string.IsNullOrWhiteSpace(AgentVersion), "AgentVersion must not be empty.");
        Check(TargetPeerCount >= 0, $"TargetPeerCount must be at least 0, not {TargetPeerCount}.");
        Check(DataDirectory is null || !string.IsNullOrWhiteSpace(DataDirectory), "DataDirectory must be null or a path, not blank.");
        Check(DiscoveryInterval > TimeSpan.Zero, "DiscoveryInterval must be positive.");
        Check(MaxPeersPerAddressGroup >= 1, $"MaxPeersPerAddressGroup must be at least 1, not {MaxPeersPerAddressGroup}.");
        ArgumentNullException.ThrowIfNull(Mdns, nameof(Mdns));
        if (EnableMdns)
        {
            Mdns.Validate();
        }

        foreach (var peer in BootstrapPeers)
        {
            Check(peer.TryGetTcpEndPoint(out _), $"Bootstrap peer {peer} is not a /ip4|ip6|dns/…/tcp/… address.");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException("Invalid P2PNodeOptions: " + message);
        }
    }
}
