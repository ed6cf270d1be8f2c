using System.Buffers;
using System.Globalization;
using Google.Protobuf;

namespace Quids.Network.Core;

/// <summary>The outcome of reading one varint-length-prefixed frame.</summary>
internal enum FrameStatus
{
    /// <summary>A whole frame was read.</summary>
    Frame,

    /// <summary>The frame is not complete yet.</summary>
    NeedMoreData,

    /// <summary>The length prefix announces more than the limit (or is longer than any allowed length needs).</summary>
    TooLarge,

    /// <summary>The length prefix is not a valid minimal varint.</summary>
    InvalidPrefix,
}

/// <summary>
/// Frames of an unsigned varint length followed by that many bytes, as identify, Kademlia and
/// <c>/quids/msg/1.0.0</c> put them on a stream. An oversized length is refused as soon as its prefix is
/// read, so no more than the limit plus the prefix is ever buffered.
/// </summary>
internal static class LengthPrefixedFrame
{
    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>; on <see cref="FrameStatus.Frame"/>,
    /// <paramref name="body"/> is the frame and <paramref name="buffer"/> is sliced past it.
    /// </summary>
    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, long maxLength, out ReadOnlySequence<byte> body, out ulong declaredLength)
    {
        body = default;
        var reader = new SequenceReader<byte>(buffer);
        switch (Varint.TryRead(ref reader, out declaredLength))
        {
            case VarintStatus.Invalid:
                return FrameStatus.InvalidPrefix;
            case VarintStatus.NeedMoreData:
                // A prefix longer than the limit's own encoding can only announce too much.
                return buffer.Length < Varint.GetLength((ulong)maxLength) ? FrameStatus.NeedMoreData : FrameStatus.TooLarge;
        }

        if (declaredLength > (ulong)maxLength)
        {
            return FrameStatus.TooLarge;
        }

        if (reader.Remaining < (long)declaredLength)
        {
            return FrameStatus.NeedMoreData;
        }

        body = reader.UnreadSequence.Slice(0, (long)declaredLength);
        buffer = buffer.Slice(body.End);
        return FrameStatus.Frame;
    }
    /// <summary>
    /// Reads one protobuf message framed as above (identify and Kademlia streams carry them); null when more
    /// bytes are needed. Every failure is <paramref name="fail"/>(tooLarge, reason), so each protocol throws its
    /// own typed exception; reasons start with <paramref name="protocol"/> and name <paramref name="what"/>.
    /// </summary>
    public static T? TryReadProtobuf<T>(
        ref ReadOnlySequence<byte> buffer,
        int maxLength,
        Func<ReadOnlySequence<byte>, T> parse,
        string protocol,
        string what,
        Func<bool, string, Exception> fail)
        where T : class
    {
        switch (TryRead(ref buffer, maxLength, out var body, out ulong length))
        {
            case FrameStatus.InvalidPrefix:
                throw fail(false, $"{protocol}: the length prefix is not a valid minimal varint.");
            case FrameStatus.TooLarge:
                // Zero: the prefix was refused as longer than any allowed length needs, so say what it must exceed.
                string announced = length > 0
                    ? length.ToString(CultureInfo.InvariantCulture)
                    : $"more than {(1UL << (7 * Varint.GetLength((ulong)maxLength))) - 1}";
                throw fail(true, $"{protocol}: a length prefix announces {announced} bytes; the limit is {maxLength}.");
            case FrameStatus.NeedMoreData:
                return null;
        }

        try
        {
            return parse(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw fail(false, $"{protocol}: a {length}-byte message is not a valid {what} protobuf: {e.Message}");
        }
    }
}
