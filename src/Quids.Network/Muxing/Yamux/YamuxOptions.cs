namespace Quids.Network.Muxing.Yamux;

/// <summary>The limits and tuning of one Yamux session; validated once when the session is created.</summary>
internal sealed class YamuxOptions
{
    /// <summary>The window every stream starts with, both directions (spec: "each stream with a 256KB window size").</summary>
    public const uint InitialWindow = 256 * 1024;

    /// <summary>Shared defaults.</summary>
    public static YamuxOptions Default { get; } = new();

    /// <summary>
    /// Ceiling for receive-window auto-tuning, in bytes. Defaults to 16 MiB, the value of go-yamux, rust-yamux
    /// and js-yamux: enough for ~1.3 Gbit/s at 100 ms RTT on one stream, and it also bounds the memory one
    /// stream can make us buffer.
    /// </summary>
    public uint MaxReceiveWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Largest data payload we put in one frame, in bytes. Defaults to 65506: the frame (header included) is then
    /// 65518 bytes, which one Noise transport frame carries exactly and which with Noise's 2-byte length and
    /// 16-byte tag is 64 KiB on the wire, one pooled 64 KiB buffer per frame at every layer. go-yamux and
    /// js-yamux send at most 64 KiB including the header; frames that size interleave streams fairly and keep
    /// per-frame overhead under 0.05 %.
    /// </summary>
    public int MaxSendPayload { get; init; } = DefaultMaxSendPayload;

    /// <summary>The default of <see cref="MaxSendPayload"/>: 64 KiB less Noise's length and tag (18) and the header (12).</summary>
    internal const int DefaultMaxSendPayload = (64 * 1024) - 18 - YamuxFrameHeader.Size;

    /// <summary>
    /// Largest data payload we accept in one frame, in bytes. Defaults to <see cref="MaxReceiveWindow"/>: the
    /// spec has no frame limit and some implementations send a whole window in one frame; the per-stream
    /// window check is the real bound.
    /// </summary>
    public uint MaxReceivePayload { get; init; } = 16 * 1024 * 1024;

    /// <summary>Streams the peer may have open at once; more are reset. Defaults to 1000 (go-yamux and js-yamux).</summary>
    public int MaxInboundStreams { get; init; } = 1000;

    /// <summary>Streams we may have open at once; opening more fails. Defaults to 1000 (js-yamux).</summary>
    public int MaxOutboundStreams { get; init; } = 1000;

    /// <summary>
    /// ACK backlog (libp2p yamux spec): inbound streams not yet accepted by the application; more are reset.
    /// Also the number of our own streams the peer has not acknowledged before opening waits. Defaults to 256.
    /// </summary>
    public int AckBacklog { get; init; } = 256;

    /// <summary>
    /// Data frames queued for the write loop across all streams; a stream that would exceed it waits. Defaults to
    /// 256 (16 MiB of 64 KiB frames): enough to keep the socket busy, small enough to bound memory.
    /// </summary>
    public int MaxQueuedDataFrames { get; init; } = 256;

    /// <summary>
    /// Ping replies queued and not yet written; further peer pings are dropped unanswered (a ping flood must
    /// not grow our memory). Defaults to 64.
    /// </summary>
    public int MaxPendingPongs { get; init; } = 64;

    /// <summary>
    /// Reset frames queued and not yet written; a peer that opens a stream beyond the limits while this many
    /// are waiting ends the session with a protocol error. Defaults to 256. Each refused SYN queues a reset,
    /// so a peer that floods SYNs and never reads would otherwise grow our queue without end.
    /// </summary>
    public int MaxQueuedResets { get; init; } = 256;

    /// <summary>Our own pings in flight at once; more fail. Defaults to 16.</summary>
    public int MaxOutstandingPings { get; init; } = 16;

    /// <summary>
    /// Receive windows grow (double) when the reader consumed a window within this many round trips, as
    /// go-yamux and js-yamux do. Defaults to 4.
    /// </summary>
    public int AutoTuneRoundTrips { get; init; } = 4;

    /// <summary>
    /// Measures the round trip once, when the first stream opens (go-yamux pings at session start; a session that
    /// never carries a stream has no window to tune), so that auto-tuning can begin. Defaults to true.
    /// </summary>
    public bool PingOnStart { get; init; } = true;

    /// <summary>
    /// How long the end of a session may wait for its last frames (Go Away) to reach a peer that stopped
    /// reading before the session is aborted. Defaults to 5 seconds.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a stream the application has disposed (our FIN sent, reader closed) waits for the peer's FIN
    /// before it is reset, so that a peer that never closes its side cannot pin stream slots forever.
    /// Defaults to 5 minutes (go-yamux's StreamCloseTimeout).
    /// </summary>
    public TimeSpan StreamCloseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (MaxReceiveWindow < InitialWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveWindow), MaxReceiveWindow, $"Yamux: the maximum receive window must be at least the initial {InitialWindow} bytes.");
        }

        if (MaxSendPayload is < 1024 or > 16 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSendPayload), MaxSendPayload, "Yamux: the send payload must be between 1 KiB and 16 MiB.");
        }

        if (MaxReceivePayload < InitialWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceivePayload), MaxReceivePayload, "Yamux: peers may send a whole initial window in one frame, so the receive payload limit must be at least 256 KiB.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInboundStreams, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutboundStreams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(AckBacklog, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedDataFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingPongs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedResets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutstandingPings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(AutoTuneRoundTrips, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CloseTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StreamCloseTimeout, TimeSpan.Zero);
    }
}
