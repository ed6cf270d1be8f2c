using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Quids.Network.Protocols.Perf;

/// <summary>
/// <c>/perf/1.0.0</c> (libp2p/specs perf/perf.md): the client sends a big-endian uint64 "bytes to send back",
/// uploads, closes its write side; the server drains the upload, then sends the requested bytes and closes.
/// </summary>
internal static class PerfProtocol
{
    public const string Id = "/perf/1.0.0";

    /// <summary>Bytes written per chunk: 64 KiB, what js-libp2p and go-libp2p's perf use.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Runs one perf exchange as the client over a negotiated stream.</summary>
    public static async Task<PerfResult> RunClientAsync(
        IDuplexPipe stream, long uploadBytes, long downloadBytes, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(uploadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(downloadBytes);
        long start = time.GetTimestamp();
        BinaryPrimitives.WriteUInt64BigEndian(stream.Output.GetSpan(8), (ulong)downloadBytes);
        stream.Output.Advance(8);
        await WriteZerosAsync(stream.Output, uploadBytes, cancellationToken);
        await stream.Output.CompleteAsync();
        var uploaded = time.GetElapsedTime(start);

        long received = 0;
        while (true)
        {
            var result = await stream.Input.ReadAsync(cancellationToken);
            received += result.Buffer.Length;
            stream.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        if (received != downloadBytes)
        {
            throw new IOException($"{Id}: asked for {downloadBytes} bytes, the server sent {received}.");
        }

        return new PerfResult(uploadBytes, uploaded, downloadBytes, time.GetElapsedTime(start) - uploaded);
    }

    /// <summary>Serves one perf exchange; refuses requests above <paramref name="maxDownloadBytes"/>.</summary>
    public static async Task ServeAsync(IDuplexPipe stream, long maxDownloadBytes, CancellationToken cancellationToken = default)
    {
        ulong requested = 0;
        bool haveRequest = false;
        while (true)
        {
            var result = await stream.Input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (!haveRequest && buffer.Length >= 8)
            {
                var reader = new SequenceReader<byte>(buffer);
                reader.TryReadBigEndian(out long value);
                requested = (ulong)value;
                haveRequest = true;
                if (requested > (ulong)maxDownloadBytes)
                {
                    throw new InvalidDataException($"{Id}: the client asked for {requested} bytes; this node serves at most {maxDownloadBytes}.");
                }
            }

            if (haveRequest)
            {
                stream.Input.AdvanceTo(buffer.End);
            }
            else
            {
                // Fewer than 8 bytes so far: keep them for the next read.
                stream.Input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                break;
            }
        }

        if (!haveRequest)
        {
            throw new InvalidDataException($"{Id}: the stream ended before the 8-byte request.");
        }

        await WriteZerosAsync(stream.Output, (long)requested, cancellationToken);
        await stream.Output.CompleteAsync();
    }

    private static async Task WriteZerosAsync(PipeWriter output, long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            // Zeroing the pipe's own buffer writes each byte once; copying from a zero array would also read it.
            int n = (int)Math.Min(count, ChunkSize);
            output.GetSpan(n)[..n].Clear();
            output.Advance(n);
            var flush = await output.FlushAsync(cancellationToken);
            if (flush.IsCompleted)
            {
                throw new IOException($"{Id}: the remote stopped reading.");
            }

            count -= n;
        }

        await output.FlushAsync(cancellationToken);
    }
}
