using Quids.Network.Core;

namespace Quids.Network;

/// <summary>A snapshot of a node's counters: totals and each connection's.</summary>
public sealed record NodeStatistics
{
    /// <summary>Each live connection's statistics, by peer.</summary>
    public required IReadOnlyDictionary<PeerId, ConnectionStatistics> Connections { get; init; }

    /// <summary>Messages sent over the node's life, to all peers.</summary>
    public long MessagesSent { get; init; }

    /// <summary>Messages received over the node's life, from all peers.</summary>
    public long MessagesReceived { get; init; }

    /// <summary>Errors over the node's life: failed sends, handlers that threw, protocol violations, failed connections.</summary>
    public long Errors { get; init; }

    /// <summary>Bytes sent over the node's life on connections that have ended, plus the live ones.</summary>
    public long BytesSent { get; init; }

    /// <summary>Bytes received over the node's life on connections that have ended, plus the live ones.</summary>
    public long BytesReceived { get; init; }
}
