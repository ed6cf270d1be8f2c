using Microsoft.Extensions.Logging;
using Quids.Network.Core;

namespace Quids.Network.Diagnostics;

/// <summary>Log messages of the Kademlia DHT (<c>/ipfs/kad/1.0.0</c>), with stable event ids (1300-1399).</summary>
internal static partial class KadLog
{
    [LoggerMessage(1300, LogLevel.Warning, "kad: stream from {PeerId} reset: {Reason}")]
    public static partial void MessageRejected(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1301, LogLevel.Warning, "kad: stream from {PeerId} reset: over the limit of {Limit} requests per second")]
    public static partial void RateLimited(ILogger logger, PeerId peerId, int limit);

    [LoggerMessage(1302, LogLevel.Warning, "kad: stream from {PeerId} reset: the peer already has {Limit} DHT streams open to us")]
    public static partial void TooManyStreams(ILogger logger, PeerId peerId, int limit);

    [LoggerMessage(1303, LogLevel.Debug, "kad: address {Address} of {PeerId} rejected: {Reason}")]
    public static partial void AddressRejected(ILogger logger, PeerId peerId, string address, string reason);

    [LoggerMessage(1304, LogLevel.Debug, "kad: {PeerId} added to the routing table ({Result}), {Count} peers")]
    public static partial void PeerAdded(ILogger logger, PeerId peerId, string result, int count);

    [LoggerMessage(1305, LogLevel.Debug, "kad: {PeerId} removed from the routing table: {Reason}")]
    public static partial void PeerRemoved(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1306, LogLevel.Warning, "kad: record from {PeerId} refused: {Reason}")]
    public static partial void RecordRejected(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1307, LogLevel.Warning, "kad: provider announcement from {PeerId} refused: {Reason}")]
    public static partial void ProviderRejected(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1308, LogLevel.Debug, "kad: {Type} request to {PeerId} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, PeerId peerId, string type, string reason);

    [LoggerMessage(1309, LogLevel.Debug, "kad: lookup of {Target} finished: {Queried} peers answered, {Found} closest")]
    public static partial void LookupFinished(ILogger logger, string target, int queried, int found);

    [LoggerMessage(1310, LogLevel.Warning, "kad: routing table refresh failed: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string reason);

    [LoggerMessage(1311, LogLevel.Debug, "kad: {PeerId} not added: it does not advertise /ipfs/kad/1.0.0 (a DHT client)")]
    public static partial void NotAServer(ILogger logger, PeerId peerId);
}
