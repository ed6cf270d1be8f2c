using Quids.Network.Core;

namespace Quids.Network.Protocols.Mdns;

/// <summary>A peer read from an mDNS response: its id and its addresses without the <c>/p2p/</c> suffix.</summary>
/// <param name="PeerName">The random instance label the peer answers under.</param>
/// <param name="PeerId">The peer's id, taken from its <c>dnsaddr=</c> addresses.</param>
/// <param name="Addresses">Its addresses; never empty.</param>
internal sealed record MdnsAnnouncement(string PeerName, PeerId PeerId, IReadOnlyList<Multiaddress> Addresses);
