namespace Quids.Network.Protocols.Messaging;

/// <summary>Limits of <c>/quids/msg/1.0.0</c>.</summary>
internal sealed class MessagingOptions
{
    /// <summary>Largest message sent or accepted, in bytes. Defaults to 1 MiB (the seed's buffer_size).</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Messages queued per peer before senders wait. Defaults to 4096.</summary>
    public int MaxQueuedMessagesPerPeer { get; set; } = 4096;

    /// <summary>
    /// Bytes packed into one flush of a peer's stream before the queued senders are released. Defaults to
    /// 256 KiB: large enough to batch thousands of small messages, small enough to keep latency low.
    /// </summary>
    public int MaxBatchBytes { get; set; } = 256 * 1024;

    /// <summary>Longest wait to open and negotiate a peer's message stream. Defaults to 10 s.</summary>
    public TimeSpan StreamOpenTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
