using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace Quids.Network.Muxing.Yamux;

/// <summary>The write loop: the only writer of the transport.</summary>
internal sealed partial class YamuxSession
{
    /// <summary>
    /// Bytes written before a flush even if more frames are queued, so one flush never buffers more than this
    /// in the transport. 1 MiB: large enough that batching still pays (a few dozen frames), small enough to
    /// keep latency and memory per connection modest.
    /// </summary>
    internal const int MaxBytesPerFlush = 1024 * 1024;

    /// <summary>
    /// Largest frame, header included, written into one contiguous span, in bytes: 64 KiB, a default data frame.
    /// Larger payloads (a raised <see cref="YamuxOptions.MaxSendPayload"/>) are copied in pieces instead of
    /// asking the transport for one huge buffer.
    /// </summary>
    private const int MaxContiguousFrame = 64 * 1024;

    private async Task WriteLoopAsync()
    {
        ChannelReader<YamuxOutboundFrame> frames = _frames.Reader;
        PipeWriter output = _transport.Output;
        Exception? error = null;
        try
        {
            while (await frames.WaitToReadAsync().ConfigureAwait(false))
            {
                int dataFrames = 0;
                long batchBytes = 0;
                while (!_aborted && batchBytes < MaxBytesPerFlush && frames.TryRead(out YamuxOutboundFrame frame))
                {
                    WriteFrame(output, frame);
                    batchBytes += YamuxFrameHeader.Size + frame.Payload.Length;
                    if (frame.Header.Type == YamuxFrameType.Data)
                    {
                        dataFrames++;
                    }
                    else if (frame.Header.Type == YamuxFrameType.Ping && frame.Header.HasFlag(YamuxFlags.Ack))
                    {
                        Interlocked.Decrement(ref _pendingPongs);
                    }
                    else if (frame.Stream is null && frame.Header.HasFlag(YamuxFlags.Rst))
                    {
                        Interlocked.Decrement(ref _queuedResets);
                    }

                    if (frame.Sequence != 0)
                    {
                        frame.Stream!.OnFrameWritten(frame.Sequence);
                    }

                    frame.Release();
                }

                if (dataFrames > 0)
                {
                    _dataSlots.Release(dataFrames);
                }

                if (_aborted)
                {
                    break;
                }

                FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCanceled)
                {
                    // Only Abort cancels the flush.
                    break;
                }

                if (flushed.IsCompleted)
                {
                    error = new IOException("Yamux: the transport stopped accepting data.");
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        // End first so that the frame queue is complete, then report every frame left as never to be written.
        EndSession(error, goAway: null);
        _writerStopped = true;
        while (frames.TryRead(out YamuxOutboundFrame left))
        {
            left.Stream?.OnWriterStopped();
            left.Release();
        }

        await output.CompleteAsync(error).ConfigureAwait(false);
    }

    private static void WriteFrame(PipeWriter output, in YamuxOutboundFrame frame)
    {
        long length = YamuxFrameHeader.Size + frame.Payload.Length;
        if (length <= MaxContiguousFrame)
        {
            // Header and payload in one span: the secure channel below encrypts contiguous bytes where they lie,
            // so a frame that never straddles two buffers is never gathered into a copy before encryption.
            Span<byte> span = output.GetSpan((int)length);
            frame.Header.Write(span);
            frame.Payload.CopyTo(span[YamuxFrameHeader.Size..]);
            output.Advance((int)length);
            return;
        }

        Span<byte> header = output.GetSpan(YamuxFrameHeader.Size);
        frame.Header.Write(header);
        output.Advance(YamuxFrameHeader.Size);
        PipeCopy.CopyTo(frame.Payload, output);
    }
}
