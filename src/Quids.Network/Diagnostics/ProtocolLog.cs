using Microsoft.Extensions.Logging;
using Quids.Network.Core;

namespace Quids.Network.Diagnostics;

/// <summary>Log messages of the protocols on top of connections, with stable event ids (1100-1199).</summary>
internal static partial class ProtocolLog
{
    [LoggerMessage(1100, LogLevel.Trace, "Answered {Count} pings from {PeerId}")]
    public static partial void PingsAnswered(ILogger logger, PeerId peerId, int count);

    [LoggerMessage(1101, LogLevel.Debug, "Identify with {PeerId} failed: {Reason}")]
    public static partial void IdentifyFailed(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1102, LogLevel.Warning, "/quids/msg/1.0.0 stream from {PeerId} reset: {Reason}")]
    public static partial void MessageProtocolViolation(ILogger logger, PeerId peerId, string reason);
}
