namespace Quids.Network.Network;

/// <summary>Limits and policy of the <see cref="AddressBook"/>, validated once by <see cref="Validate"/>.</summary>
internal sealed class AddressBookOptions
{
    /// <summary>
    /// Most addresses kept per peer. Defaults to 8: identify lists a few addresses per transport and family
    /// (ip4/ip6 × tcp/quic plus a DNS name fits), and the limit bounds what one peer can make us store and dial.
    /// </summary>
    public int MaxAddressesPerPeer { get; set; } = 8;

    /// <summary>
    /// Most peers kept. Defaults to 4096: a few MB of memory and a file of at most a few MB, far more peers than
    /// a node dials, yet small beside addrman's 65,536 addresses because our networks are smaller.
    /// </summary>
    public int MaxPeers { get; set; } = 4096;

    /// <summary>
    /// Most peers with an address in one network group (IPv4 /16, IPv6 /32, all DNS names together). Defaults to
    /// 32: one operator's network (or a botnet's /16) can then fill at most 32 of 4096 slots, so an eclipse
    /// needs addresses in at least 128 groups (Bitcoin Core's addrman idea). A devnet of more than 32 nodes on
    /// one machine or LAN must raise it.
    /// </summary>
    public int MaxPeersPerGroup { get; set; } = 32;

    /// <summary>
    /// Keep loopback addresses (127.0.0.0/8, ::1, localhost). Defaults to true: what a library user expects,
    /// since tests, examples and the devnet run on one machine. A node on the public internet should set it to
    /// false, since a loopback address learned from a remote peer can only be that peer's own machine.
    /// </summary>
    public bool AllowLoopback { get; set; } = true;

    /// <summary>
    /// Keep private and link-local addresses (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7,
    /// fe80::/10). Defaults to true, like go-libp2p's and js-libp2p's peer stores, so LAN and container
    /// deployments work without configuration; a public node should set it to false.
    /// </summary>
    public bool AllowPrivate { get; set; } = true;

    /// <summary>
    /// Wait after the first failed dial of a peer before selecting it again; doubles with each further failure
    /// up to <see cref="MaxFailureBackoff"/>. Defaults to 30 s: long enough not to hammer a peer that is down,
    /// short enough that a restarting peer is found again soon.
    /// </summary>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest failure backoff. Defaults to 1 h, so even a long-dead peer is retried now and then.</summary>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A peer not seen for this long may be evicted to make room. Defaults to 30 days (addrman's horizon).
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Failures since its last success after which even a once-connected peer may be evicted. Defaults to 10
    /// (addrman's ADDRMAN_MAX_FAILURES).
    /// </summary>
    public int MaxFailuresAfterSuccess { get; set; } = 10;

    /// <summary>
    /// Largest address book file <see cref="AddressBook.Load"/> reads, in bytes. Defaults to 16 MiB: a full book
    /// of 4096 peers × 8 addresses is about 3 MB of JSON; anything far larger is not ours.
    /// </summary>
    public long MaxFileBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Checks every value, naming the first that is wrong.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxAddressesPerPeer < 1 || MaxPeers < 1 || MaxPeersPerGroup < 1 || MaxFailuresAfterSuccess < 1)
        {
            throw new ArgumentException("AddressBookOptions: MaxAddressesPerPeer, MaxPeers, MaxPeersPerGroup and MaxFailuresAfterSuccess must be at least 1.");
        }

        if (FailureBackoff <= TimeSpan.Zero || MaxFailureBackoff < FailureBackoff || StaleAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException("AddressBookOptions: FailureBackoff and StaleAfter must be positive and MaxFailureBackoff at least FailureBackoff.");
        }

        if (MaxFileBytes < 1024)
        {
            throw new ArgumentException("AddressBookOptions: MaxFileBytes must be at least 1024.");
        }
    }
}
