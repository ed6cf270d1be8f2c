using System.IO.Pipelines;
using System.Threading.Channels;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// A Yamux 1.0 session over a secured byte stream (hashicorp spec.md, libp2p yamux spec), interoperable with
/// go-yamux and js-yamux. Exactly one read loop parses and dispatches frames (<c>YamuxSession.ReadLoop.cs</c>)
/// and one write loop drains the frame queue, writing everything queued before one flush
/// (<c>YamuxSession.WriteLoop.cs</c>). Decisions (ids, limits, RTT) live in <see cref="YamuxSessionEngine"/>.
/// Call <see cref="Start"/> once after construction.
/// </summary>
internal sealed partial class YamuxSession : IMuxedConnection
{
    private readonly IDuplexPipe _transport;
    private readonly YamuxOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly YamuxSessionEngine _engine;
    private readonly Dictionary<uint, YamuxStream> _streams = [];
    private readonly Dictionary<uint, TaskCompletionSource<TimeSpan>?> _pings = [];

    // Both queues are bounded channels with no practical bound: the unbounded channels preallocate a 32-item
    // segment (about 2.3 KiB for the frames, 0.8 KiB for the streams) on every connection, idle or not, while a
    // bounded channel's queue starts empty and grows only as far as it is actually filled.
    private readonly Channel<YamuxStream> _accepted = Channel.CreateBounded<YamuxStream>(new BoundedChannelOptions(int.MaxValue) { SingleWriter = true });

    // No bound as a channel (int.MaxValue items), bounded by rule: data frames need one of _dataSlots; control frames are at most a
    // few per stream (SYN, ACK, FIN, RST, one window update per half window consumed) plus capped pongs.
    // Control frames must never wait: the read loop queues them, and a read loop that waits on the write loop
    // can deadlock two peers that both write.
    private readonly Channel<YamuxOutboundFrame> _frames = Channel.CreateBounded<YamuxOutboundFrame>(new BoundedChannelOptions(int.MaxValue) { SingleReader = true });
    private readonly SemaphoreSlim _dataSlots;
    private readonly SemaphoreSlim _outboundBacklog;
    private readonly CancellationTokenSource _ended = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _roundTripTicks;
    private int _pendingPongs;
    private int _queuedResets;
    private bool _isEnded;
    private Exception? _endReason;
    private volatile bool _aborted;
    private volatile bool _writerStopped;
    private int _started;
    private ITimer? _closeTimer;
    private bool _loopsDone;

    public YamuxSession(IDuplexPipe transport, bool isClient, YamuxOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _options = options ?? YamuxOptions.Default;
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _engine = new YamuxSessionEngine(isClient, _options, _timeProvider);
        _dataSlots = new SemaphoreSlim(_options.MaxQueuedDataFrames, _options.MaxQueuedDataFrames);
        _outboundBacklog = new SemaphoreSlim(_options.AckBacklog, _options.AckBacklog);
    }

    public Task Completion => _completion.Task;

    public bool IsClient => _engine.IsClient;

    /// <summary>The last measured round trip (zero until the first pong); drives window auto-tuning.</summary>
    internal TimeSpan RoundTrip => TimeSpan.FromTicks(Volatile.Read(ref _roundTripTicks));

    internal bool WriterStopped => _writerStopped;

    /// <summary>Number of streams in the table, for tests and diagnostics.</summary>
    internal int StreamCount
    {
        get
        {
            lock (_gate)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Starts the read and write loops (and the first RTT probe when enabled).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The Yamux session has already been started.");
        }

        // The round-trip ping waits for the first stream (see StartPingLocked): set before the read loop runs,
        // so that a SYN already in the pipe finds it.
        _startPingDue = _options.PingOnStart;
        _ = RunAsync();
    }

    public async ValueTask<IMuxedStream> OpenStreamAsync(CancellationToken cancellationToken = default)
    {
        if (!_outboundBacklog.Wait(0))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
            try
            {
                await _outboundBacklog.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw SessionEnded();
            }
        }

        YamuxStream stream;
        lock (_gate)
        {
            uint streamId = 0;
            Exception? refused = _isEnded ? SessionEnded() : _engine.TryOpenOutbound(out streamId);
            if (refused is not null)
            {
                _outboundBacklog.Release();
                throw refused;
            }

            stream = new YamuxStream(this, streamId, outbound: true, _options, _timeProvider);
            _streams.Add(streamId, stream);

            // Queued under the lock so that SYNs leave in id order.
            EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, streamId, 0));
            StartPingLocked();
        }

        stream.StartSender();
        return stream;
    }

    public async ValueTask<IMuxedStream?> AcceptStreamAsync(CancellationToken cancellationToken = default)
    {
        ChannelReader<YamuxStream> reader = _accepted.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!reader.TryRead(out YamuxStream? stream))
            {
                continue;
            }

            lock (_gate)
            {
                if (_isEnded)
                {
                    return null;
                }

                if (_streams.TryGetValue(stream.StreamId, out YamuxStream? current) && current == stream)
                {
                    _engine.OnInboundAccepted();
                    stream.Accepted = true;
                }
            }

            // Acknowledged on accept, as go-yamux does (the libp2p spec prefers waiting for the first DATA frame,
            // but accepting is when the application takes responsibility for the stream, so the ACK backlog then
            // measures exactly the streams nobody has taken yet). The ACK carries no window change (delta 0).
            EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, stream.StreamId, 0));
            return stream;
        }

        return null;
    }

    public async ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var pong = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        uint opaque = SendPing(pong);
        using CancellationTokenRegistration registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _engine.CancelPing(opaque);
                _pings.Remove(opaque);
            }

            pong.TrySetCanceled(cancellationToken);
        });
        return await pong.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues Go Away (normal) behind everything already queued, flushes it, then closes both directions of the
    /// transport. Streams still open end with <see cref="StreamResetException"/>: close them first for a clean
    /// finish. Cancelling (or the close timeout) turns the close into <see cref="Abort"/>.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        EndSession(null, YamuxGoAwayCode.Normal);
        using CancellationTokenRegistration registration = cancellationToken.Register(
            () => Abort(new OperationCanceledException("Yamux: the graceful close was cancelled.", cancellationToken)));
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The session had already failed; its reason is on Completion. Closing it is done either way.
        }
    }

    public void Abort(Exception? reason)
    {
        _aborted = true;
        EndSession(reason ?? new YamuxSessionClosedException("Yamux: the session was aborted locally."), goAway: null);

        // A write loop stuck flushing to a peer that no longer reads must let go.
        if (!_writerStopped)
        {
            try
            {
                _transport.Output.CancelPendingFlush();
            }
            catch (Exception)
            {
                // The write loop completed the output in the meantime (a pipe rethrows its completion error):
                // nothing is left to cancel.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort(null);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposal does not report how the session ended; Completion does, for whoever observes it.
        }
    }

    internal void EnqueueControl(YamuxFrameHeader header)
    {
        bool reset = header.HasFlag(YamuxFlags.Rst);
        if (reset)
        {
            Interlocked.Increment(ref _queuedResets);
        }

        // Fails only after the session ended, when there is nothing left to tell the peer.
        if (!_frames.Writer.TryWrite(new YamuxOutboundFrame(header)) && reset)
        {
            Interlocked.Decrement(ref _queuedResets);
        }
    }

    /// <summary>Queues a data frame, waiting for a slot; false when the session has ended.</summary>
    internal async ValueTask<bool> EnqueueDataAsync(YamuxOutboundFrame frame)
    {
        try
        {
            await _dataSlots.WaitAsync(_ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        if (_frames.Writer.TryWrite(frame))
        {
            return true;
        }

        _dataSlots.Release();
        return false;
    }

    internal void RemoveStream(YamuxStream stream)
    {
        bool releaseBacklog = stream.TryReleaseBacklogSlot();
        lock (_gate)
        {
            if (_streams.TryGetValue(stream.StreamId, out YamuxStream? current) && current == stream)
            {
                _streams.Remove(stream.StreamId);
                _engine.OnStreamRemoved(stream.IsOutbound, stream.Accepted);
            }
        }

        if (releaseBacklog)
        {
            _outboundBacklog.Release();
        }
    }

    private YamuxSessionClosedException SessionEnded()
        => new(_endReason is null ? "Yamux: the session has ended." : $"Yamux: the session has ended: {_endReason.Message}", _endReason);

    private async Task RunAsync()
    {
        await Task.WhenAll(ReadLoopAsync(), WriteLoopAsync()).ConfigureAwait(false);
        ITimer? closeTimer;
        lock (_gate)
        {
            _loopsDone = true;
            closeTimer = _closeTimer;
        }

        closeTimer?.Dispose();
        Exception? reason;
        lock (_gate)
        {
            reason = _endReason;
        }

        if (reason is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(reason);
        }
    }

    /// <summary>
    /// Ends the session once: optionally queues Go Away (the write loop still flushes everything queued before
    /// it), stops both loops, and fails every stream, pending accept and ping with the reason.
    /// </summary>
    private void EndSession(Exception? reason, YamuxGoAwayCode? goAway)
    {
        List<YamuxStream> streams;
        List<TaskCompletionSource<TimeSpan>?> pings;
        lock (_gate)
        {
            if (_isEnded)
            {
                return;
            }

            _isEnded = true;
            _endReason = reason;
            _engine.OnLocalGoAway();
            streams = [.. _streams.Values];
            _streams.Clear();
            pings = [.. _pings.Values];
            _pings.Clear();
            if (!_aborted && !_loopsDone)
            {
                // Flushing the last frames (Go Away) must not wait forever on a peer that stopped reading.
                _closeTimer = _timeProvider.CreateTimer(
                    static state => ((YamuxSession)state!).Abort(new TimeoutException("Yamux: the peer did not take the final frames within the close timeout.")),
                    this,
                    _options.CloseTimeout,
                    Timeout.InfiniteTimeSpan);
            }
        }

        if (goAway is { } code)
        {
            _frames.Writer.TryWrite(new YamuxOutboundFrame(new YamuxFrameHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, (uint)code)));
        }

        _frames.Writer.TryComplete();
        _accepted.Writer.TryComplete();

        _ended.Cancel();
        _transport.Input.CancelPendingRead();
        foreach (YamuxStream stream in streams)
        {
            stream.OnSessionEnded(reason);
        }

        foreach (TaskCompletionSource<TimeSpan>? ping in pings)
        {
            ping?.TrySetException(new YamuxSessionClosedException("Yamux: the session ended before the ping was answered.", reason));
        }
    }
}
