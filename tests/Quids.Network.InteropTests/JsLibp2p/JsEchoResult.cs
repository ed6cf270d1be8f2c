namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>An echo run js made and verified byte for byte (it fails with <see cref="JsPeerException"/> otherwise).</summary>
/// <param name="BytesPerStream">Bytes sent, and received back, on each stream.</param>
/// <param name="Sha256s">Hex SHA-256 of each stream's payload; stream i carried <c>EchoPayload.Generate(seed + i, bytes)</c>.</param>
/// <param name="StreamMilliseconds">Time from the first byte sent to the last byte echoed, per stream.</param>
/// <param name="Milliseconds">Time of the whole run, stream opening included.</param>
public sealed record JsEchoResult(
    long BytesPerStream,
    IReadOnlyList<string> Sha256s,
    IReadOnlyList<double> StreamMilliseconds,
    double Milliseconds);
