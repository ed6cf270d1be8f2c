using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>A peer as the DHT passes it around: its id and the addresses it can be dialed at.</summary>
internal sealed record KadPeerInfo(PeerId PeerId, IReadOnlyList<Multiaddress> Addresses)
{
    private KadKey? _key;

    /// <summary>The peer's position in the key space.</summary>
    public KadKey Key => _key ??= KadKey.ForPeer(PeerId);
}
