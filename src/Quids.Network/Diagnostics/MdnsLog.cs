using System.Net;
using Microsoft.Extensions.Logging;
using Quids.Network.Core;

namespace Quids.Network.Diagnostics;

/// <summary>Log messages of mDNS discovery (<c>_p2p._udp.local</c>), with stable event ids (1500-1599).</summary>
internal static partial class MdnsLog
{
    [LoggerMessage(1500, LogLevel.Information, "mdns: started as {PeerName} on {Interfaces}")]
    public static partial void Started(ILogger logger, string peerName, string interfaces);

    [LoggerMessage(1501, LogLevel.Debug, "mdns: datagram from {Source} dropped: {Reason}")]
    public static partial void DatagramDropped(ILogger logger, EndPoint? source, string reason);

    [LoggerMessage(1502, LogLevel.Debug, "mdns: announcement from {Source} ignored: {Reason}")]
    public static partial void AnnouncementIgnored(ILogger logger, EndPoint? source, string reason);

    [LoggerMessage(1503, LogLevel.Debug, "mdns: discovered {PeerId} ({PeerName}) at {Addresses}")]
    public static partial void PeerDiscovered(ILogger logger, PeerId peerId, string peerName, string addresses);

    [LoggerMessage(1504, LogLevel.Debug, "mdns: sending to {Group} via {Interface} failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, IPAddress group, string @interface, string reason);

    [LoggerMessage(1505, LogLevel.Warning, "mdns: receiving on the {Family} socket failed, it stops: {Reason}")]
    public static partial void ReceiveFailed(ILogger logger, string family, string reason);

    [LoggerMessage(1506, LogLevel.Warning, "mdns: a PeerDiscovered handler threw for {PeerId}")]
    public static partial void HandlerFailed(ILogger logger, PeerId peerId, Exception exception);

    [LoggerMessage(1507, LogLevel.Debug, "mdns: query not answered: {Reason}")]
    public static partial void QueryNotAnswered(ILogger logger, string reason);

    [LoggerMessage(1508, LogLevel.Information, "mdns: IPv6 not used: {Reason}")]
    public static partial void IPv6Unavailable(ILogger logger, string reason);
}
