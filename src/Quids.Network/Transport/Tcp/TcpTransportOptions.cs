namespace Quids.Network.Transport.Tcp;

/// <summary>Limits and socket settings of the TCP transport, validated once when the transport is created.</summary>
internal sealed class TcpTransportOptions
{
    /// <summary>
    /// Time allowed for a whole dial: name resolution plus trying each address in turn.
    /// Defaults to 10 seconds, long enough for a slow link, short enough that a dead peer does not hold a
    /// dial slot for the kernel's minutes-long SYN retry.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Inbound connections the kernel queues before they are accepted (the listen backlog).
    /// Defaults to 512, as Kestrel does; the kernel caps it at <c>net.core.somaxconn</c>.
    /// </summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>
    /// Disables Nagle's algorithm. Defaults to <see langword="true"/>: the send loop already batches
    /// everything queued into one send, so Nagle would only add latency to small frames such as pings.
    /// </summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>
    /// Received bytes buffered unread before the receive loop stops reading the socket (it resumes at half).
    /// Defaults to 1 MiB, the seed's <c>buffer_size</c>: a fast peer is then slowed by TCP flow control
    /// instead of growing this process's memory.
    /// </summary>
    public long MaxReadBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Bytes queued for sending before the writer's <c>FlushAsync</c> waits (it resumes at half).
    /// Defaults to 64 KiB, as Kestrel does: the kernel's send buffer holds more, so this only bounds what a
    /// writer can queue towards a slow peer.
    /// </summary>
    public long MaxWriteBufferSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Time a graceful dispose waits for queued bytes to be sent before it aborts the connection.
    /// Defaults to 5 seconds, so a peer that stops reading cannot hold a closing connection open.
    /// </summary>
    public TimeSpan GracefulCloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The input pipe's options, shared by every connection (made on first use, after validation).</summary>
    internal System.IO.Pipelines.PipeOptions InputPipeOptions => field ??= TcpConnection.CreatePipeOptions(MaxReadBufferSize);

    /// <summary>The output pipe's options, shared by every connection (made on first use, after validation).</summary>
    internal System.IO.Pipelines.PipeOptions OutputPipeOptions => field ??= TcpConnection.CreatePipeOptions(MaxWriteBufferSize);

    /// <summary>Throws when a value is out of range; called once by the transport's constructor.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenBacklog, 1, nameof(ListenBacklog));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReadBufferSize, 1, nameof(MaxReadBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWriteBufferSize, 1, nameof(MaxWriteBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(GracefulCloseTimeout, TimeSpan.Zero, nameof(GracefulCloseTimeout));
    }
}
