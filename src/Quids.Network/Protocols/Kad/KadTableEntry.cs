using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>A peer of the routing table with when it was last seen alive.</summary>
internal sealed class KadTableEntry(PeerId peerId, KadKey key, IReadOnlyList<Multiaddress> addresses, DateTimeOffset lastSeen)
{
    public PeerId PeerId { get; } = peerId;

    public KadKey Key { get; } = key;

    public IReadOnlyList<Multiaddress> Addresses { get; set; } = addresses;

    public DateTimeOffset LastSeen { get; set; } = lastSeen;

    public KadPeerInfo ToPeerInfo() => new(PeerId, Addresses);
}
