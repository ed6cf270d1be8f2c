using System.Buffers;
using Quids.Network.Core;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// <c>/quids/msg/1.0.0</c>: the seed's application messages. One long-lived stream per peer and direction
/// carries frames of an unsigned varint length followed by that many bytes.
/// </summary>
internal static class MessagingProtocol
{
    public const string Id = "/quids/msg/1.0.0";

    /// <summary>Writes one frame (length prefix and message).</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> message)
    {
        Span<byte> span = writer.GetSpan(Varint.MaxLength + message.Length);
        int n = Varint.Write(span, (ulong)message.Length);
        message.CopyTo(span[n..]);
        writer.Advance(n + message.Length);
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>, advancing it past the frame. A length above
    /// <paramref name="maxMessageSize"/> is <see cref="FrameStatus.TooLarge"/> as soon as the prefix is read,
    /// so an oversized frame is refused before its body is buffered.
    /// </summary>
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> message, out ulong declaredLength) =>
        LengthPrefixedFrame.TryRead(ref buffer, maxMessageSize, out message, out declaredLength);
}
