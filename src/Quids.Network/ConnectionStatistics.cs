namespace Quids.Network;

/// <summary>A snapshot of one connection's counters, taken atomically per counter.</summary>
public sealed record ConnectionStatistics
{
    /// <summary>Bytes written to the socket, all protocols and encryption overhead included.</summary>
    public long BytesSent { get; init; }

    /// <summary>Bytes read from the socket.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Application messages sent on <c>/quids/msg/1.0.0</c>.</summary>
    public long MessagesSent { get; init; }

    /// <summary>Application messages received on <c>/quids/msg/1.0.0</c>.</summary>
    public long MessagesReceived { get; init; }

    /// <summary>Errors seen on this connection: failed sends, failed handlers, protocol violations.</summary>
    public long Errors { get; init; }

    /// <summary>When the last application message was sent or received, or null if none was.</summary>
    public DateTimeOffset? LastMessageAt { get; init; }

    /// <summary>How long the connection has been (or was) up.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The connection's state when the snapshot was taken.</summary>
    public ConnectionState State { get; init; }

    /// <summary>The last round-trip time measured by ping, or null before the first ping.</summary>
    public TimeSpan? LastPingRtt { get; init; }
}
