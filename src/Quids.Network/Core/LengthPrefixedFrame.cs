using System.Buffers;

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
}
