using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Security.Noise;

internal sealed partial class NoiseSecureChannel
{
    private long _framesReceived;

    private async Task DecryptLoopAsync()
    {
        PipeReader raw = _transport.Input;
        PipeWriter plaintext = _inbound.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                ReadResult result = await raw.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                bool decrypted = false;
                try
                {
                    while (buffer.Length >= NoiseProtocol.LengthPrefixLength)
                    {
                        int length = NoiseHandshake.ReadLength(buffer);
                        if (length < NoiseProtocol.TagLength)
                        {
                            throw new NoiseDecryptionException($"Noise: transport frame {_framesReceived + 1} from peer {RemotePeerId} is {length} bytes, shorter than the {NoiseProtocol.TagLength}-byte tag.");
                        }

                        if (buffer.Length < NoiseProtocol.LengthPrefixLength + length)
                        {
                            break;
                        }

                        DecryptFrame(buffer.Slice(NoiseProtocol.LengthPrefixLength, length), plaintext);
                        buffer = buffer.Slice(NoiseProtocol.LengthPrefixLength + length);
                        decrypted = true;
                    }
                }
                finally
                {
                    raw.AdvanceTo(buffer.Start, buffer.End);
                }

                if (decrypted)
                {
                    FlushResult flush = await plaintext.FlushAsync();
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new NoiseDecryptionException($"Noise: the connection from peer {RemotePeerId} closed inside transport frame {_framesReceived + 1} ({buffer.Length} bytes of it received).");
                    }

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
            await raw.CompleteAsync(error);
            await plaintext.CompleteAsync(error);
        }
    }

    private void DecryptFrame(ReadOnlySequence<byte> frame, PipeWriter plaintext)
    {
        int length = (int)frame.Length;
        Span<byte> destination = plaintext.GetSpan(length);
        bool ok;
        int written;
        if (frame.IsSingleSegment)
        {
            ok = _receive.TryDecryptWithAd(default, frame.FirstSpan, destination, out written);
        }
        else
        {
            // A frame split across segments is gathered into the plaintext pipe and decrypted in place.
            frame.CopyTo(destination);
            ok = _receive.TryDecryptWithAd(default, destination[..length], destination, out written);
        }

        _framesReceived++;
        if (!ok)
        {
            throw new NoiseDecryptionException($"Noise: transport frame {_framesReceived} ({length} bytes) from peer {RemotePeerId} failed to decrypt (corrupted or tampered); the channel is closed.");
        }

        plaintext.Advance(written);
    }
}
