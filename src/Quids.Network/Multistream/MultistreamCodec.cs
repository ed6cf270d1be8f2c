using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Quids.Network.Core;

namespace Quids.Network.Multistream;

/// <summary>Reads and writes single multistream-select messages on pipes, consuming exactly one message per read.</summary>
internal static class MultistreamCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Appends one message (length, text, newline) to <paramref name="writer"/> without flushing.</summary>
    /// <exception cref="ArgumentException">The text is empty, contains a newline, or is longer than the limit.</exception>
    public static void WriteMessage(PipeWriter writer, string text)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetEncodedTextLength(text) + 1;
        int prefix = Varint.GetLength((ulong)length);
        Span<byte> span = writer.GetSpan(prefix + length);
        Varint.Write(span, (ulong)length);
        int written = StrictUtf8.GetBytes(text, span[prefix..]);
        span[prefix + written] = (byte)'\n';
        writer.Advance(prefix + length);
    }

    /// <summary>Checks that <paramref name="protocol"/> can be sent as one message and returns its UTF-8 length.</summary>
    public static int GetEncodedTextLength(string protocol)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        if (protocol.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The protocol name '{protocol}' contains a newline, which ends a multistream-select message.", nameof(protocol));
        }

        int bytes = StrictUtf8.GetByteCount(protocol);
        if (bytes + 1 > MultistreamProtocol.MaxMessageLength)
        {
            throw new ArgumentException(
                $"The protocol name takes {bytes + 1} bytes with its newline; multistream-select allows {MultistreamProtocol.MaxMessageLength}.",
                nameof(protocol));
        }

        return bytes;
    }

    /// <summary>
    /// Reads one message and returns its text without the newline. Leaves every byte after it in the reader.
    /// </summary>
    /// <exception cref="ProtocolNegotiationException">The bytes break the wire rules or the stream ended.</exception>
    public static async ValueTask<string> ReadMessageAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        var (message, unfinished) = await PipeMessageReader.ReadAsync<string>(reader, TryReadMessage, "multistream-select", cancellationToken).ConfigureAwait(false);
        return message ?? throw new ProtocolNegotiationException(
            NegotiationFailure.EndOfStream,
            unfinished == 0
                ? "multistream-select: the stream ended before the next message."
                : $"multistream-select: the stream ended inside a message ({unfinished} bytes of it received).");
    }

    /// <summary>
    /// Parses one message from the start of <paramref name="buffer"/>. On success returns its text and slices
    /// <paramref name="buffer"/> past it; returns null when more bytes are needed (never more than the limit).
    /// </summary>
    /// <exception cref="ProtocolNegotiationException">The bytes can never form a valid message.</exception>
    public static string? TryReadMessage(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        VarintStatus status = Varint.TryRead(ref reader, out ulong length);
        switch (status)
        {
            case VarintStatus.Invalid:
                throw new ProtocolNegotiationException(
                    NegotiationFailure.InvalidLengthPrefix,
                    "multistream-select: the length prefix is not a valid minimal varint.");
            case VarintStatus.NeedMoreData when buffer.Length < MultistreamProtocol.MaxLengthPrefixBytes:
                return null;
            case VarintStatus.NeedMoreData:
                // Two bytes that still continue already announce 16384 bytes or more: fail without waiting for the rest.
                throw TooLong(">= 16384");
        }

        if (length > MultistreamProtocol.MaxMessageLength)
        {
            throw TooLong(length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (length == 0)
        {
            throw new ProtocolNegotiationException(
                NegotiationFailure.MissingNewline,
                "multistream-select: an empty message has no newline.");
        }

        if (reader.Remaining < (long)length)
        {
            return null;
        }

        ReadOnlySequence<byte> payload = reader.UnreadSequence.Slice(0, (long)length);
        Span<byte> bytes = stackalloc byte[MultistreamProtocol.MaxMessageLength];
        bytes = bytes[..(int)length];
        payload.CopyTo(bytes);
        if (bytes[^1] != (byte)'\n')
        {
            throw new ProtocolNegotiationException(
                NegotiationFailure.MissingNewline,
                $"multistream-select: a {length}-byte message does not end with a newline.");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes[..^1]);
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolNegotiationException(
                NegotiationFailure.InvalidUtf8,
                $"multistream-select: a {length}-byte message is not valid UTF-8.");
        }

        buffer = buffer.Slice(payload.End);
        return text;
    }

    /// <summary>Shortens remote text for an error message so a hostile peer cannot flood the logs.</summary>
    public static string Printable(string remote) => remote.Length <= 64 ? remote : string.Concat(remote.AsSpan(0, 64), "…");

    private static ProtocolNegotiationException TooLong(string announced) => new(
        NegotiationFailure.MessageTooLong,
        $"multistream-select: a length prefix announces {announced} bytes; the limit is {MultistreamProtocol.MaxMessageLength}.");
}
