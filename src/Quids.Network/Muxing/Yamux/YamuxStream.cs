using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// One Yamux stream. Received data goes into a pipe the application reads through <see cref="Input"/>, bounded by
/// the receive window; written data goes into a pipe a per-stream sender turns into data frames no larger than
/// the peer's send window (see <c>YamuxStream.Send.cs</c>).
/// </summary>
internal sealed partial class YamuxStream : IMuxedStream
{
    /// <summary>
    /// Unsent bytes the application may buffer before its FlushAsync waits, in bytes. 256 KiB (one initial
    /// window) keeps a stream's sender busy without letting one writer hold much memory.
    /// </summary>
    internal const int SendBufferPauseThreshold = 256 * 1024;

    /// <summary>
    /// Smallest pooled segment of a stream's pipes, in bytes. 16 KiB instead of the 4 KiB default: a 64 KiB frame
    /// then spans 4 segments, not 16. Segments are rented only while data is buffered, so idle streams cost none.
    /// </summary>
    internal const int PipeSegmentSize = 16 * 1024;

    private readonly YamuxSession _session;
    private readonly Lock _sync = new();
    private readonly Pipe _receivePipe;
    private readonly YamuxStreamReader _input;
    private readonly YamuxReceiveWindow _receiveWindow;
    private bool _remoteFin;
    private bool _localFin;
    private bool _reset;
    private bool _readerDone;
    private bool _removed;
    private bool _backlogReleased;
    private Exception? _resetReason;
    private readonly TimeSpan _streamCloseTimeout;
    private ITimer? _closeTimer;

    public YamuxStream(YamuxSession session, uint streamId, bool outbound, YamuxOptions options, TimeProvider timeProvider)
    {
        _session = session;
        StreamId = streamId;
        IsOutbound = outbound;
        _receivePipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: PipeSegmentSize,
            useSynchronizationContext: false));
        // The sender runs inline in the application's flush: it only slices the buffer into frames and queues
        // them (every wait in it is asynchronous), so a thread-pool hop per flush would cost more than it does.
        _sendPipe = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: SendBufferPauseThreshold,
            resumeWriterThreshold: SendBufferPauseThreshold / 2,
            minimumSegmentSize: PipeSegmentSize,
            useSynchronizationContext: false));
        _input = new YamuxStreamReader(this, _receivePipe.Reader);
        _receiveWindow = new YamuxReceiveWindow(options.MaxReceiveWindow, options.AutoTuneRoundTrips, timeProvider.GetTimestamp());
        _sendWindow = YamuxOptions.InitialWindow;
        _maxPayload = options.MaxSendPayload;
        _timeProvider = timeProvider;
        _streamCloseTimeout = options.StreamCloseTimeout;
    }

    public uint StreamId { get; }

    public bool IsOutbound { get; }

    public bool IsReset => Volatile.Read(ref _reset);

    /// <summary>Inbound only: the application has accepted it (so it no longer counts against the ACK backlog).</summary>
    public bool Accepted { get; set; }

    /// <summary>Outbound only: the peer acknowledged it.</summary>
    public bool Acknowledged { get; private set; }

    public PipeReader Input => _input;

    public PipeWriter Output => _sendPipe.Writer;

    /// <summary>The receive window size, for diagnostics and tests.</summary>
    public uint ReceiveWindowSize
    {
        get
        {
            lock (_sync)
            {
                return _receiveWindow.Window;
            }
        }
    }

    public Task CloseWriteAsync()
    {
        _sendPipe.Writer.Complete();
        return _senderTask ?? Task.CompletedTask;
    }

    public void Reset() => ResetCore(new StreamResetException($"Yamux stream {StreamId} was reset locally."), sendRst: true);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseWriteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StreamResetException or OperationCanceledException)
        {
            // Already reset or the session ended: nothing left to close.
        }

        _input.Complete();
        StartCloseTimer();
    }

    /// <summary>After dispose, waits <see cref="YamuxOptions.StreamCloseTimeout"/> for the peer's FIN, then resets.</summary>
    private void StartCloseTimer()
    {
        lock (_sync)
        {
            if (_removed || _reset || _closeTimer is not null)
            {
                return;
            }

            _closeTimer = _timeProvider.CreateTimer(
                static state =>
                {
                    var stream = (YamuxStream)state!;
                    stream.ResetCore(
                        new StreamResetException($"Yamux stream {stream.StreamId} was reset: the peer did not close its side within {stream._streamCloseTimeout}."),
                        sendRst: true);
                },
                this,
                _streamCloseTimeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Read loop: a data frame's header arrived; false when it exceeds the window (a protocol violation).</summary>
    public bool TryReceiveData(uint length, out string? error)
    {
        error = null;
        lock (_sync)
        {
            if (_remoteFin)
            {
                error = $"data frame on stream {StreamId} after the peer's FIN";
                return false;
            }

            if (!_receiveWindow.TryReceive(length))
            {
                error = $"data frame of {length} bytes on stream {StreamId} exceeds the receive window ({_receiveWindow.Credit} bytes left of {_receiveWindow.Window})";
                return false;
            }

            return true;
        }
    }

    /// <summary>
    /// Read loop: part of a data payload; copied into the receive pipe and made visible to the reader, or dropped
    /// (and credited back) if nobody reads any more. Under the stream lock so that a concurrent reset never
    /// completes the pipe writer in the middle of a write.
    /// </summary>
    public void WritePayload(ReadOnlySequence<byte> payload)
    {
        lock (_sync)
        {
            if (!_readerDone && !_reset)
            {
                PipeWriter writer = _receivePipe.Writer;
                PipeCopy.CopyTo(payload, writer);

                // Never waits: the receive pipe has no pause threshold (the window is its bound).
                ValueTask<FlushResult> flush = writer.FlushAsync();
                if (!flush.IsCompleted)
                {
                    throw new InvalidOperationException("A Yamux receive pipe flush did not complete synchronously.");
                }

                flush.GetAwaiter().GetResult();
                return;
            }
        }

        OnConsumed((uint)payload.Length);
    }

    /// <summary>Read loop: a window update (or the window part of a SYN/ACK) raised our send window.</summary>
    public bool TryAddSendWindow(uint delta)
    {
        if (delta == 0)
        {
            return true;
        }

        lock (_sync)
        {
            if ((ulong)_sendWindow + delta > uint.MaxValue)
            {
                return false;
            }

            _sendWindow += delta;
        }

        _senderWake.Set();
        return true;
    }

    public void OnAck()
    {
        lock (_sync)
        {
            Acknowledged = true;
        }
    }

    /// <summary>
    /// True exactly once for an outbound stream: when it stops counting against our ACK backlog (acknowledged,
    /// or gone before that).
    /// </summary>
    public bool TryReleaseBacklogSlot()
    {
        lock (_sync)
        {
            if (!IsOutbound || _backlogReleased)
            {
                return false;
            }

            _backlogReleased = true;
            return true;
        }
    }

    public void OnRemoteFin()
    {
        bool remove;
        lock (_sync)
        {
            if (_remoteFin || _reset)
            {
                return;
            }

            _remoteFin = true;
            remove = _localFin;
            _receivePipe.Writer.Complete();
        }

        if (remove)
        {
            Remove();
        }
    }

    public void OnRemoteReset() => ResetCore(new StreamResetException($"Yamux stream {StreamId} was reset by the peer."), sendRst: false);

    public void OnSessionEnded(Exception? reason)
    {
        string why = reason is null ? "the session ended" : $"the session ended: {reason.Message}";
        ResetCore(new StreamResetException($"Yamux stream {StreamId} ended because {why}.", reason), sendRst: false, removeFromSession: false);
        lock (_sync)
        {
            _closeTimer?.Dispose();
        }
    }

    /// <summary>The application consumed <paramref name="bytes"/> from <see cref="Input"/>.</summary>
    internal void OnConsumed(uint bytes)
    {
        uint delta;
        lock (_sync)
        {
            if (_reset)
            {
                return;
            }

            delta = _receiveWindow.Consume(bytes, _timeProvider.GetTimestamp(), _session.RoundTrip, _timeProvider);
        }

        if (delta > 0 && !_remoteFin)
        {
            _session.EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.None, StreamId, delta));
        }
    }

    /// <summary>The application completed <see cref="Input"/>: further data is dropped and credited back at once.</summary>
    internal void OnReaderCompleted()
    {
        uint delta;
        lock (_sync)
        {
            if (_readerDone || _reset)
            {
                _readerDone = true;
                return;
            }

            _readerDone = true;
            delta = _receiveWindow.ReleaseAll();
        }

        if (delta > 0 && !_remoteFin)
        {
            _session.EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.None, StreamId, delta));
        }
    }

    private void ResetCore(StreamResetException reason, bool sendRst, bool removeFromSession = true)
    {
        lock (_sync)
        {
            if (_reset || (_remoteFin && _localFin))
            {
                return;
            }

            _reset = true;
            _resetReason = reason;
            _receivePipe.Writer.Complete(reason);
        }

        if (sendRst)
        {
            _session.EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, StreamId, 0));
        }

        _sendPipe.Reader.CancelPendingRead();
        _senderWake.Set();
        if (removeFromSession)
        {
            Remove();
        }
    }

    private void Remove()
    {
        lock (_sync)
        {
            if (_removed)
            {
                return;
            }

            _removed = true;
            _closeTimer?.Dispose();
        }

        _session.RemoveStream(this);
    }

    public override string ToString() => $"Yamux stream {StreamId} ({(IsOutbound ? "outbound" : "inbound")})";
}
