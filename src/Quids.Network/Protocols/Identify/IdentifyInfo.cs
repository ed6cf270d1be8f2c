using Quids.Network.Core;

namespace Quids.Network.Protocols.Identify;

/// <summary>
/// What a peer says about itself with identify (<c>/ipfs/id/1.0.0</c>): its key, software, addresses and
/// protocols. Received instances are checked: <see cref="PublicKey"/> belongs to the connection's peer.
/// </summary>
public sealed class IdentifyInfo
{
    private PeerId? _peerId;

    /// <summary>The peer's public key.</summary>
    public required PublicKey PublicKey { get; init; }

    /// <summary>The peer id of <see cref="PublicKey"/>.</summary>
    public PeerId PeerId => _peerId ??= PublicKey.ToPeerId();

    /// <summary>The protocol family version, e.g. <c>ipfs/0.1.0</c>; null when the peer did not send one.</summary>
    public string? ProtocolVersion { get; init; }

    /// <summary>The peer's software and version, e.g. <c>js-libp2p/3.0.0</c>; null when not sent.</summary>
    public string? AgentVersion { get; init; }

    /// <summary>
    /// Addresses the peer listens on. Received addresses this library cannot decode (unknown multiaddress
    /// protocols) are left out rather than failing the whole exchange.
    /// </summary>
    public IReadOnlyList<Multiaddress> ListenAddresses { get; init; } = [];

    /// <summary>
    /// The address the peer sees for us on this connection, without a trailing <c>/p2p/</c> (js-libp2p appends
    /// ours when it dialed us by it); null when not sent or not decodable.
    /// </summary>
    public Multiaddress? ObservedAddress { get; init; }

    /// <summary>The protocols the peer supports, without duplicates.</summary>
    public IReadOnlyList<string> Protocols { get; init; } = [];

    /// <summary>
    /// The peer's signed peer record (a libp2p signed envelope) exactly as received, or empty. Not verified
    /// by identify itself.
    /// </summary>
    public ReadOnlyMemory<byte> SignedPeerRecord { get; init; }
}
