namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>What js-libp2p learned from a remote peer through /ipfs/id/1.0.0 (its <c>IdentifyResult</c>).</summary>
/// <param name="PeerId">The remote peer id (base58).</param>
/// <param name="AgentVersion">The remote agent version, if it sent one.</param>
/// <param name="ProtocolVersion">The remote protocol version, if it sent one.</param>
/// <param name="ListenAddrs">The listen addresses the remote announced.</param>
/// <param name="ObservedAddr">The address the remote saw js connect from, if it sent one.</param>
/// <param name="Protocols">The protocols the remote announced.</param>
/// <param name="PublicKey">The remote's public key exactly as sent (libp2p PublicKey protobuf), if it sent one.</param>
/// <param name="RemoteAddr">The address of the connection identify ran over.</param>
public sealed record JsIdentifyResult(
    string PeerId,
    string? AgentVersion,
    string? ProtocolVersion,
    IReadOnlyList<string> ListenAddrs,
    string? ObservedAddr,
    IReadOnlyList<string> Protocols,
    byte[]? PublicKey,
    string? RemoteAddr);
