using Microsoft.Extensions.Logging;
using Quids.Network.Core;
using Quids.Network.Network;

namespace Quids.Network.Diagnostics;

/// <summary>Log messages of <see cref="P2PNode"/>, with stable event ids (1200-1299).</summary>
internal static partial class NodeLog
{
    [LoggerMessage(1200, LogLevel.Information, "Node listening on {Address}")]
    public static partial void Started(ILogger logger, string address);

    [LoggerMessage(1201, LogLevel.Information, "Node {PeerId} stopped")]
    public static partial void Stopped(ILogger logger, PeerId peerId);

    [LoggerMessage(1202, LogLevel.Information, "Peer {PeerId} connected ({Direction}) at {Address}:{Port}")]
    public static partial void PeerConnected(ILogger logger, PeerId peerId, string address, int port, ConnectionDirection direction);

    [LoggerMessage(1203, LogLevel.Information, "Peer {PeerId} disconnected: {Reason}")]
    public static partial void PeerDisconnected(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1204, LogLevel.Warning, "Connecting to {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string address, string reason);

    [LoggerMessage(1205, LogLevel.Debug, "Re-dialling {Address} after failure {Failures} in {DelayMs:0} ms")]
    public static partial void ReconnectScheduled(ILogger logger, string address, int failures, double delayMs);

    [LoggerMessage(1206, LogLevel.Warning, "A message handler threw for a message from {PeerId}")]
    public static partial void HandlerFailed(ILogger logger, PeerId peerId, Exception exception);

    [LoggerMessage(1207, LogLevel.Warning, "Closing the connection to {PeerId}: no traffic and no ping answer for {Seconds} s")]
    public static partial void ConnectionTimedOut(ILogger logger, PeerId peerId, double seconds);

    [LoggerMessage(1208, LogLevel.Debug, "Ping to {PeerId} failed: {Reason}")]
    public static partial void PingFailed(ILogger logger, PeerId? peerId, string reason);

    [LoggerMessage(1209, LogLevel.Information, "Discovery dialed {Dialed} peers: {Connected} connected of a target of {Target}, {Known} peers in the address book")]
    public static partial void DiscoveryFinished(ILogger logger, int dialed, int connected, int target, int known);

    [LoggerMessage(1210, LogLevel.Warning, "Peer discovery failed; it runs again at the next interval")]
    public static partial void DiscoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(1211, LogLevel.Warning, "Saving the address book to {Path} failed: {Reason}")]
    public static partial void AddressBookSaveFailed(ILogger logger, string path, string reason);

    [LoggerMessage(1212, LogLevel.Warning, "mDNS discovery could not start, the node runs without it: {Reason}")]
    public static partial void MdnsUnavailable(ILogger logger, string reason);

    [LoggerMessage(1213, LogLevel.Information, "mDNS found peer {PeerId} with {Addresses} addresses; dialing it")]
    public static partial void MdnsPeerFound(ILogger logger, PeerId peerId, int addresses);
}
