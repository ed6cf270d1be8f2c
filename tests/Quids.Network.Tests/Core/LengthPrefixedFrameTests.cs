using System.Buffers;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad;

namespace Quids.Network.Tests.Core;

public class LengthPrefixedFrameTests
{
    [Fact]
    public void Reads_one_frame_and_leaves_the_rest()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x03, 1, 2, 3, 0x01 });

        Assert.Equal(FrameStatus.Frame, LengthPrefixedFrame.TryRead(ref buffer, 100, out var body, out ulong length));
        Assert.Equal(new byte[] { 1, 2, 3 }, body.ToArray());
        Assert.Equal(3UL, length);
        Assert.Equal(new byte[] { 0x01 }, buffer.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x03, 1 }, (int)FrameStatus.NeedMoreData)]
    [InlineData(new byte[] { 0x80 }, (int)FrameStatus.NeedMoreData)]
    [InlineData(new byte[] { 0xE5, 0x00 }, (int)FrameStatus.InvalidPrefix)]
    [InlineData(new byte[] { 0xE5, 0x01 }, (int)FrameStatus.TooLarge)]
    [InlineData(new byte[] { 0x80, 0x80 }, (int)FrameStatus.TooLarge)]
    public void Refuses_an_oversized_length_from_its_prefix_alone(byte[] bytes, int expected)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal((FrameStatus)expected, LengthPrefixedFrame.TryRead(ref buffer, maxLength: 200, out _, out _));
    }
    [Theory]
    [InlineData(new byte[] { 0xE5, 0x00 }, "kad: the length prefix is not a valid minimal varint.")]
    [InlineData(new byte[] { 0xC0, 0x96, 0xB1, 0x02 }, "kad: a length prefix announces 5000000 bytes; the limit is 4194304.")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80 }, "kad: a length prefix announces more than 268435455 bytes; the limit is 4194304.")]
    [InlineData(new byte[] { 0x02, 0xFF, 0xFF }, "kad: a 2-byte message is not a valid DHT protobuf:")]
    public void A_framed_protobuf_that_can_never_be_valid_fails_with_the_protocols_reason(byte[] bytes, string reason)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        var failure = Assert.Throws<KadException>(() => KadProtocol.TryReadMessage(ref buffer));

        Assert.StartsWith(reason, failure.Message, StringComparison.Ordinal);
        Assert.Equal(reason.Contains("announces", StringComparison.Ordinal) ? KadFailure.MessageTooLarge : KadFailure.Malformed, failure.Reason);
    }

    [Fact]
    public void A_framed_protobuf_still_arriving_reads_as_null()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x05, 0x08 });

        Assert.Null(KadProtocol.TryReadMessage(ref buffer));
    }
}
