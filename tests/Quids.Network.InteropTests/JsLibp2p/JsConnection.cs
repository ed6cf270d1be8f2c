namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>One connection as js-libp2p sees it.</summary>
/// <param name="PeerId">The remote peer id.</param>
/// <param name="RemoteAddr">The remote address (with /p2p/).</param>
/// <param name="Direction"><c>inbound</c> or <c>outbound</c>.</param>
/// <param name="Status"><c>open</c>, <c>closing</c> or <c>closed</c>.</param>
/// <param name="Encryption">The negotiated security protocol, e.g. <c>/noise</c>.</param>
/// <param name="Multiplexer">The negotiated muxer, e.g. <c>/yamux/1.0.0</c>.</param>
/// <param name="StreamProtocols">The protocol of each open stream.</param>
public sealed record JsConnection(
    string PeerId,
    string RemoteAddr,
    string Direction,
    string Status,
    string? Encryption,
    string? Multiplexer,
    IReadOnlyList<string?> StreamProtocols);
