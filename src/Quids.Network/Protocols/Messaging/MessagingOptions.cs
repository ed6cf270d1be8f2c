namespace Quids.Network.Protocols.Messaging;

/// <summary>Limits of <c>/quids/msg/1.0.0</c>.</summary>
internal sealed class MessagingOptions
{
    /// <summary>Largest message sent or accepted, in bytes. Defaults to 1 MiB (the seed's buffer_size).</summary>
    public int MaxMessageSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Messages written into a peer's send buffer between two flushes; the caller that reaches it flushes. Defaults
    /// to 4096 (the node's MaxQueuedMessagesPerPeer).
    /// </summary>
    public int MaxBatchMessages { get; set; } = 4096;

    /// <summary>
    /// Message bytes written into a peer's send buffer between two flushes; the caller that reaches it flushes.
    /// Defaults to 64 KiB: about one Yamux frame and one Noise message, a quarter of the stream's 256 KiB buffer,
    /// so a flushed batch rarely has to wait for room.
    /// </summary>
    public int MaxBatchBytes { get; set; } = 64 * 1024;

    /// <summary>Longest wait to open and negotiate a peer's message stream. Defaults to 10 s.</summary>
    public TimeSpan StreamOpenTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
