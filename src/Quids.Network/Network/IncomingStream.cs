using Quids.Network.Muxing;

namespace Quids.Network.Network;

/// <summary>A stream the remote opened, after its protocol was agreed.</summary>
internal sealed record IncomingStream(NetworkConnection Connection, IMuxedStream Stream, string Protocol);

/// <summary>Serves one inbound stream; the stream is disposed when the returned task ends.</summary>
internal delegate Task StreamHandler(IncomingStream stream, CancellationToken cancellationToken);
