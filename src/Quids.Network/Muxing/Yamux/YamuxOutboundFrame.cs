using System.Buffers;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// One frame waiting for the write loop. A large data frame's payload is a slice of its stream's send pipe, so it
/// is copied exactly once (into the transport); the stream keeps that memory until the write loop reports
/// <see cref="Sequence"/> written. A small one is a copy in a pooled array (<see cref="OwnedPayload"/>) that the
/// write loop returns, so the stream need not wait for, nor be woken by, the write loop.
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

    public YamuxOutboundFrame(YamuxFrameHeader header, byte[] ownedPayload, int length)
    {
        Header = header;
        Payload = new ReadOnlySequence<byte>(ownedPayload, 0, length);
        OwnedPayload = ownedPayload;
    }

    public YamuxFrameHeader Header { get; }

    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>The stream to tell once written, or null.</summary>
    public YamuxStream? Stream { get; }

    /// <summary>The stream's frame counter value to report once written (0 = do not report).</summary>
    public long Sequence { get; }

    /// <summary>The <see cref="ArrayPool{T}.Shared"/> array holding <see cref="Payload"/>, or null if the payload is borrowed.</summary>
    public byte[]? OwnedPayload { get; }

    /// <summary>Returns <see cref="OwnedPayload"/> to the pool once the frame has been written or dropped.</summary>
    public void Release()
    {
        if (OwnedPayload is { } owned)
        {
            ArrayPool<byte>.Shared.Return(owned);
        }
    }
}
