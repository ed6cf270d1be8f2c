using Microsoft.Extensions.Logging;
using Quids.Network.Core;
using Quids.Network.Network;

namespace Quids.Network.Diagnostics;

/// <summary>Every log message of the connection layer, with stable event ids (1000-1099).</summary>
internal static partial class NetworkLog
{
    [LoggerMessage(1000, LogLevel.Information, "Listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string endPoint);

    [LoggerMessage(1001, LogLevel.Debug, "Connection #{ConnectionId} ({Direction}) upgraded: peer {PeerId} at {Remote}, muxer by {MuxerNegotiation}")]
    public static partial void ConnectionUpgraded(ILogger logger, long connectionId, ConnectionDirection direction, PeerId peerId, string remote, string muxerNegotiation);

    [LoggerMessage(1002, LogLevel.Warning, "{Direction} connection with {Remote} failed to upgrade: {Reason}")]
    public static partial void UpgradeFailed(ILogger logger, ConnectionDirection direction, string remote, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Inbound connection from {Remote} refused: at the limit of {MaxConnections} connections or {MaxPending} pending handshakes")]
    public static partial void InboundRejected(ILogger logger, string remote, int maxConnections, int maxPending);

    [LoggerMessage(1004, LogLevel.Warning, "Accepting a connection failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(1005, LogLevel.Debug, "Connection #{ConnectionId} to {PeerId} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, long connectionId, PeerId peerId, string reason);

    [LoggerMessage(1006, LogLevel.Warning, "Connection #{ConnectionId} to {PeerId} failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, PeerId peerId, string reason);

    [LoggerMessage(1007, LogLevel.Warning, "Connection #{ConnectionId} to {PeerId}: stream reset, already {Limit} streams negotiating")]
    public static partial void StreamRejected(ILogger logger, long connectionId, PeerId peerId, int limit);

    [LoggerMessage(1008, LogLevel.Debug, "Connection #{ConnectionId} to {PeerId}: stream {Protocol} failed: {Reason}")]
    public static partial void StreamFailed(ILogger logger, long connectionId, PeerId peerId, string protocol, string reason);

    [LoggerMessage(1009, LogLevel.Error, "A handler of {EventName} threw")]
    public static partial void EventHandlerFailed(ILogger logger, string eventName, Exception exception);

    [LoggerMessage(1011, LogLevel.Debug, "Connection #{ConnectionId} to {PeerId} closed: another connection to the peer is kept")]
    public static partial void DuplicateClosed(ILogger logger, long connectionId, PeerId peerId);

    [LoggerMessage(1010, LogLevel.Warning, "Connection #{ConnectionId} to {PeerId} closed: stream flood, {Refused} streams refused in a row while {Limit} were negotiating")]
    public static partial void StreamFlood(ILogger logger, long connectionId, PeerId peerId, int refused, int limit);
}
