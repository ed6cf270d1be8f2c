namespace Quids.Network.Muxing;

/// <summary>
/// A secured connection split into many independent streams. Graceful close (<see cref="CloseAsync"/>),
/// abort (<see cref="Abort"/>) and dispose are distinct: close tells the peer first, abort does not, and
/// dispose aborts whatever is still running.
/// </summary>
internal interface IMuxedConnection : IAsyncDisposable
{
    /// <summary>Ends when the session ends: successfully after a clean close, faulted with the reason otherwise.</summary>
    Task Completion { get; }

    /// <summary>Opens a new outbound stream; the peer learns about it with the first frame (no round trip).</summary>
    ValueTask<IMuxedStream> OpenStreamAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits for the next inbound stream; <see langword="null"/> once the session has ended.</summary>
    ValueTask<IMuxedStream?> AcceptStreamAsync(CancellationToken cancellationToken = default);

    /// <summary>Measures one round trip at the muxer level.</summary>
    ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Tells the peer the session is over (normal termination), flushes, then closes.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);

    /// <summary>Tears the session down at once without telling the peer; every stream fails with <paramref name="reason"/>.</summary>
    void Abort(Exception? reason);
}
