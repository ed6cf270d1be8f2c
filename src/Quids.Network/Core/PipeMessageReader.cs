using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Core;

/// <summary>Parses one message from the start of a buffer, slicing past it; null when more bytes are needed.</summary>
internal delegate T? MessageParser<T>(ref ReadOnlySequence<byte> buffer)
    where T : class;

/// <summary>
/// The read loop every framed protocol needs: read, try to parse one message, consume exactly it (leaving what
/// follows for the next reader), and tell a clean end of stream from one inside a message.
/// </summary>
internal static class PipeMessageReader
{
    /// <summary>
    /// Reads the next message. At the end of the stream, returns null with the number of bytes of an unfinished
    /// message (0 for a clean end). A parser's exception propagates with nothing consumed.
    /// </summary>
    /// <exception cref="OperationCanceledException">The read was canceled (<see cref="PipeReader.CancelPendingRead"/>).</exception>
    public static async ValueTask<(T? Message, long Unfinished)> ReadAsync<T>(
        PipeReader reader, MessageParser<T> parse, string protocol, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            T? message;
            try
            {
                message = parse(ref buffer);
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.Start);
                throw;
            }

            if (message is not null)
            {
                reader.AdvanceTo(buffer.Start);
                return (message, 0);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException($"{protocol}: the read was canceled.");
            }

            if (result.IsCompleted)
            {
                return (null, buffer.Length);
            }
        }
    }
}
