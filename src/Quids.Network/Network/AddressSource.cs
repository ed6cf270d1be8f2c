namespace Quids.Network.Network;

/// <summary>
/// Where the address book learned a peer or an address. Flags: an entry keeps the union of every source that
/// reported it. <see cref="Bootstrap"/> and <see cref="Manual"/> come from the operator, so entries holding
/// them are never evicted to make room for others.
/// </summary>
[Flags]
internal enum AddressSource
{
    /// <summary>No source (not valid for <see cref="AddressBook.Add"/>).</summary>
    None = 0,

    /// <summary>A configured bootstrap peer.</summary>
    Bootstrap = 1,

    /// <summary>The peer's own listen addresses, from /ipfs/id/1.0.0 (or push).</summary>
    Identify = 2,

    /// <summary>A Kademlia FIND_NODE / GET_PROVIDERS answer from another peer.</summary>
    Kad = 4,

    /// <summary>A local-network mDNS announcement.</summary>
    Mdns = 8,

    /// <summary>
    /// A peer that connected to us. Pass the listen addresses it announces (identify), not the remote endpoint
    /// of the connection: that port is usually ephemeral and cannot be dialed.
    /// </summary>
    Inbound = 16,

    /// <summary>An address a user gave explicitly (<c>ConnectToPeerAsync</c>, <c>AddBootstrapPeer</c>, the CLI).</summary>
    Manual = 32,
}
