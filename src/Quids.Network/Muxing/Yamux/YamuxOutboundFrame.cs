using System.Buffers;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// One frame waiting for the write loop. A data frame's payload is a slice of its stream's send pipe, so it is
/// copied exactly once (into the transport); the stream keeps that memory until the write loop reports
/// <see cref="Sequence"/> written.
/// </summary>
internal readonly struct YamuxOutboundFrame
{
    public YamuxOutboundFrame(YamuxFrameHeader header)
    {
        Header = header;
    }

    public YamuxOutboundFrame(YamuxFrameHeader header, ReadOnlySequence<byte> payload, YamuxStream stream, long sequence)
    {
        Header = header;
        Payload = payload;
        Stream = stream;
        Sequence = sequence;
    }

    public YamuxFrameHeader Header { get; }

    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>The stream to tell once written, or null.</summary>
    public YamuxStream? Stream { get; }

    /// <summary>The stream's frame counter value to report once written (0 = do not report).</summary>
    public long Sequence { get; }
}
