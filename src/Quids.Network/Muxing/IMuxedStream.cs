using System.IO.Pipelines;

namespace Quids.Network.Muxing;

/// <summary>
/// One stream of a muxed connection. <see cref="IDuplexPipe.Input"/> ends with IsCompleted after the peer's
/// half-close and throws <see cref="StreamResetException"/> after a reset or the end of the session.
/// </summary>
internal interface IMuxedStream : IDuplexPipe, IAsyncDisposable
{
    /// <summary>The muxer's identifier of this stream (odd when the dialer opened it, even otherwise, for Yamux).</summary>
    uint StreamId { get; }

    /// <summary>
    /// True once the stream was reset (locally, by the peer, or by the end of the session): nothing written any
    /// more reaches the peer. A cheap check for writers that buffer without flushing each write.
    /// </summary>
    bool IsReset { get; }

    /// <summary>Half-closes: the peer sees the end of data after everything already written has been sent.</summary>
    Task CloseWriteAsync();

    /// <summary>Abandons the stream in both directions at once and tells the peer (no delivery guarantee for queued data).</summary>
    void Reset();
}
