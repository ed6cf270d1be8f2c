using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Quids.Network.Security.Noise;

internal sealed partial class NoiseSecureChannel
{
    /// <summary>
    /// Contiguous plaintext pieces shorter than this (bytes) are copied together with their neighbours into one
    /// frame; longer ones are encrypted in place as frames of their own. 16 KiB: copying a smaller piece costs
    /// less than the extra cipher call and 18 bytes of framing a frame of its own would.
    /// </summary>
    private const int GatherBelow = 16 * 1024;

    private async Task EncryptLoopAsync()
    {
        PipeReader plaintext = _outbound.Reader;
        PipeWriter raw = _transport.Output;
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result = await plaintext.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                bool wrote = !buffer.IsEmpty;
                try
                {
                    // Everything queued goes out now, under one flush.
                    while (!buffer.IsEmpty)
                    {
                        int chunk = NextFrameLength(buffer);
                        EncryptFrame(buffer.Slice(0, chunk), raw);
                        buffer = buffer.Slice(chunk);
                    }
                }
                finally
                {
                    plaintext.AdvanceTo(buffer.Start);
                }

                if (wrote)
                {
                    FlushResult flush = await raw.FlushAsync();
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        break;
                    }
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            error = e;
            Fail(e);
        }
        finally
        {
            error ??= _fault;
            await plaintext.CompleteAsync(error);
            await raw.CompleteAsync(error);
        }
    }

    /// <summary>
    /// Plaintext bytes of the next frame. A large contiguous piece is encrypted where it lies, up to a full frame,
    /// so bulk data is read once by the cipher instead of first being copied together; runs of small pieces
    /// (control frames, small messages) are gathered into one frame so that they do not cost a cipher call each.
    /// </summary>
    private static int NextFrameLength(in ReadOnlySequence<byte> buffer)
    {
        int first = buffer.FirstSpan.Length;
        if (first >= GatherBelow || first == buffer.Length)
        {
            return Math.Min(first, NoiseProtocol.MaxPlaintextPerFrame);
        }

        long gathered = 0;
        foreach (ReadOnlyMemory<byte> piece in buffer)
        {
            if (gathered > 0 && piece.Length >= GatherBelow)
            {
                break;
            }

            gathered += piece.Length;
            if (gathered >= NoiseProtocol.MaxPlaintextPerFrame)
            {
                return NoiseProtocol.MaxPlaintextPerFrame;
            }
        }

        return (int)gathered;
    }

    private void EncryptFrame(ReadOnlySequence<byte> chunk, PipeWriter raw)
    {
        int length = (int)chunk.Length;
        int frameLength = length + NoiseProtocol.TagLength;
        Span<byte> destination = raw.GetSpan(NoiseProtocol.LengthPrefixLength + frameLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)frameLength);
        Span<byte> body = destination.Slice(NoiseProtocol.LengthPrefixLength, frameLength);
        if (chunk.IsSingleSegment)
        {
            _send.EncryptWithAd(default, chunk.FirstSpan, body);
        }
        else
        {
            // Plaintext spread over segments is gathered into the frame and encrypted in place.
            chunk.CopyTo(body);
            _send.EncryptWithAd(default, body[..length], body);
        }

        raw.Advance(NoiseProtocol.LengthPrefixLength + frameLength);
    }
}
