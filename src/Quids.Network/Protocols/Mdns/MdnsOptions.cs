namespace Quids.Network.Protocols.Mdns;

/// <summary>Settings of mDNS local-network discovery; validated once when the service is created.</summary>
public sealed class MdnsOptions
{
    /// <summary>10 s, js-libp2p's query interval.</summary>
    public static readonly TimeSpan DefaultQueryInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time between two PTR queries for <c>_p2p._udp.local</c>; one is also sent at start. Defaults to 10 s.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> sends only the first.
    /// </summary>
    public TimeSpan QueryInterval { get; set; } = DefaultQueryInterval;

    /// <summary>
    /// Whether we answer queries with our addresses. Defaults to true; false makes the node listen only
    /// (it still discovers peers that answer others).
    /// </summary>
    public bool Broadcast { get; set; } = true;

    /// <summary>
    /// Shortest time between two of our multicast answers, per address family. Defaults to 1 s, RFC 6762 §6's
    /// bound: a flood of queries from the link cannot turn us into a flood of answers.
    /// </summary>
    public TimeSpan MinAnswerInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether to use ff02::fb as well as 224.0.0.251. Defaults to true; without IPv6 on the host it is skipped.</summary>
    public bool UseIPv6 { get; set; } = true;

    /// <summary>
    /// Use loopback interfaces only, so nothing is announced beyond this machine: for local networks of nodes
    /// (the devnet) and tests. Where loopback carries no multicast, mDNS cannot start. Defaults to false.
    /// </summary>
    public bool LoopbackOnly { get; set; }

    /// <summary>The UDP port. Defaults to 5353, the mDNS port every other libp2p node uses.</summary>
    public int Port { get; set; } = 5353;

    /// <summary>
    /// The label we answer under (<c>&lt;name&gt;._p2p._udp.local</c>). Defaults to null: a fresh random
    /// 32-character label per start, as js-libp2p does, so the name reveals nothing.
    /// </summary>
    public string? PeerName { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (QueryInterval != Timeout.InfiniteTimeSpan && QueryInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(QueryInterval), QueryInterval, "mdns: the query interval must be at least 100 ms or infinite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinAnswerInterval, TimeSpan.Zero, nameof(MinAnswerInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        if (PeerName is { } name && (name.Length is 0 or > MdnsProtocol.MaxLabelLength || !name.All(char.IsAsciiLetterOrDigit)))
        {
            throw new ArgumentException("mdns: the peer name must be 1 to 63 ASCII letters or digits.", nameof(PeerName));
        }
    }
}
