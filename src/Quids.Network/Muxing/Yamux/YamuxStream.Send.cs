using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Muxing.Yamux;

/// <summary>The send side: one sender per stream moves the application's bytes into data frames.</summary>
internal sealed partial class YamuxStream
{
    /// <summary>
    /// Writes of at most this many bytes (4 KiB) are copied into a frame of their own instead of being lent to the
    /// write loop: the copy costs less than the write loop's wake-up of the sender it saves.
    /// </summary>
    private const int CopyAtMost = 4 * 1024;

    private readonly Pipe _sendPipe;
    private readonly AsyncAutoResetEvent _senderWake = new();
    private readonly int _maxPayload;
    private readonly TimeProvider _timeProvider;
    private uint _sendWindow;
    private long _enqueuedSequence;
    private long _writtenSequence;
    private Task? _senderTask;

    /// <summary>Starts the sender; called once by the session after the stream is registered.</summary>
    public void StartSender() => _senderTask = RunSenderAsync();

    /// <summary>Write loop: the frame numbered <paramref name="sequence"/> (and all before it) has been copied out.</summary>
    public void OnFrameWritten(long sequence)
    {
        Volatile.Write(ref _writtenSequence, sequence);
        _senderWake.Set();
    }

    /// <summary>Write loop stopped: wake the sender so it stops waiting for frames that will never be written.</summary>
    public void OnWriterStopped() => _senderWake.Set();

    /// <summary>
    /// Reads what the application wrote and sends it in frames of at most the peer's current window and the
    /// maximum payload, waiting for WINDOW_UPDATE when the window is 0 (back-pressure reaches the application
    /// through the send pipe's pause threshold). Frames borrow the pipe's memory, so the pipe is advanced only
    /// after the write loop has copied them; then FIN follows the last byte.
    /// </summary>
    private async Task RunSenderAsync()
    {
        PipeReader reader = _sendPipe.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool stopped = false;
                while (!buffer.IsEmpty && !stopped)
                {
                    uint window = await WaitForSendWindowAsync().ConfigureAwait(false);
                    if (window == 0)
                    {
                        stopped = true;
                        break;
                    }

                    long chunk = Math.Min(buffer.Length, window);
                    lock (_sync)
                    {
                        _sendWindow -= (uint)chunk;
                    }

                    stopped = !await EnqueueChunkAsync(buffer.Slice(0, chunk)).ConfigureAwait(false);
                    buffer = buffer.Slice(chunk);
                }

                // Pipe memory must stay valid until the write loop has copied every frame that borrows it.
                await WaitWrittenAsync(_enqueuedSequence).ConfigureAwait(false);
                reader.AdvanceTo(result.Buffer.End);
                if (stopped || IsResetOrDead())
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }

            SendFin();
        }
        finally
        {
            Exception? reason;
            lock (_sync)
            {
                reason = _resetReason;
            }

            await reader.CompleteAsync(reason).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> EnqueueChunkAsync(ReadOnlySequence<byte> chunk)
    {
        if (chunk.Length <= Math.Min(CopyAtMost, _maxPayload))
        {
            // A small write is copied: the sender then needs no wake-up from the write loop (a thread-pool work item
            // per write, on the path of every request and response) before it can release the pipe's memory.
            int length = (int)chunk.Length;
            byte[] owned = ArrayPool<byte>.Shared.Rent(length);
            chunk.CopyTo(owned);
            var header = new YamuxFrameHeader(YamuxFrameType.Data, YamuxFlags.None, StreamId, (uint)length);
            var frame = new YamuxOutboundFrame(header, owned, length);
            if (!await _session.EnqueueDataAsync(frame).ConfigureAwait(false))
            {
                frame.Release();
                return false;
            }

            return true;
        }

        while (!chunk.IsEmpty)
        {
            int take = (int)Math.Min(chunk.Length, _maxPayload);
            bool last = take == chunk.Length;
            var header = new YamuxFrameHeader(YamuxFrameType.Data, YamuxFlags.None, StreamId, (uint)take);
            long sequence = last ? ++_enqueuedSequence : 0;
            if (!await _session.EnqueueDataAsync(new YamuxOutboundFrame(header, chunk.Slice(0, take), this, sequence)).ConfigureAwait(false))
            {
                return false;
            }

            chunk = chunk.Slice(take);
        }

        return true;
    }

    private async ValueTask<uint> WaitForSendWindowAsync()
    {
        while (true)
        {
            lock (_sync)
            {
                if (_reset)
                {
                    return 0;
                }

                if (_sendWindow > 0)
                {
                    return _sendWindow;
                }
            }

            if (_session.WriterStopped)
            {
                return 0;
            }

            await _senderWake.WaitAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask WaitWrittenAsync(long sequence)
    {
        // Even after a reset the frames already queued will be written (or the write loop stops): waiting here
        // is what keeps the write loop from copying memory the pipe has recycled.
        while (Volatile.Read(ref _writtenSequence) < sequence && !_session.WriterStopped)
        {
            await _senderWake.WaitAsync().ConfigureAwait(false);
        }
    }

    private bool IsResetOrDead()
    {
        lock (_sync)
        {
            return _reset || _session.WriterStopped;
        }
    }

    private void SendFin()
    {
        bool remove;
        lock (_sync)
        {
            if (_reset || _localFin)
            {
                return;
            }

            _localFin = true;
            remove = _remoteFin;
        }

        _session.EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Fin, StreamId, 0));
        if (remove)
        {
            Remove();
        }
    }
}
