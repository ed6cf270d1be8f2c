using Quids.Network.Core;

namespace Quids.Network;

/// <summary>Who sent a message: the peer's id and the address and port of its connection.</summary>
/// <param name="PeerId">The peer's authenticated identity.</param>
/// <param name="Address">The peer's IP address as seen on the connection.</param>
/// <param name="Port">The peer's TCP port as seen on the connection.</param>
public sealed record PeerInfo(PeerId PeerId, string Address, int Port);
