using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Quids.Network.Security.Noise;

internal sealed partial class NoiseSecureChannel
{
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
                    // Everything queued goes out now, in full frames where possible, under one flush.
                    while (!buffer.IsEmpty)
                    {
                        int chunk = (int)Math.Min(buffer.Length, NoiseProtocol.MaxPlaintextPerFrame);
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
