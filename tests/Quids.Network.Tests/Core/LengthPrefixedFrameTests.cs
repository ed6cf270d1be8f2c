using System.Buffers;
using Quids.Network.Core;

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
}
