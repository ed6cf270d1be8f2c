using System.Buffers;
using Quids.Network.Core;

namespace Quids.Network.Tests.Core;

public class VarintTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(1UL, new byte[] { 0x01 })]
    [InlineData(127UL, new byte[] { 0x7F })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(255UL, new byte[] { 0xFF, 0x01 })]
    [InlineData(300UL, new byte[] { 0xAC, 0x02 })]
    [InlineData(16384UL, new byte[] { 0x80, 0x80, 0x01 })]
    public void Encodes_the_spec_examples(ulong value, byte[] expected)
    {
        Assert.Equal(expected, Varint.Encode(value));
        Assert.Equal(VarintStatus.Done, Varint.TryRead(expected, out ulong read, out int consumed));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, consumed);
    }

    [Fact]
    public void Rejects_non_minimal_encodings()
    {
        Assert.Equal(VarintStatus.Invalid, Varint.TryRead(new byte[] { 0x81, 0x00 }, out _, out _));
    }

    [Fact]
    public void Rejects_more_than_nine_bytes()
    {
        var ten = new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
        Assert.Equal(VarintStatus.Invalid, Varint.TryRead(ten, out _, out _));
    }

    [Fact]
    public void Asks_for_more_data_when_truncated()
    {
        Assert.Equal(VarintStatus.NeedMoreData, Varint.TryRead(new byte[] { 0x80, 0x80 }, out _, out _));
    }

    [Fact]
    public void Rejects_values_above_the_caller_maximum()
    {
        Assert.Equal(VarintStatus.Invalid, Varint.TryRead(new byte[] { 0xAC, 0x02 }, out _, out _, maxValue: 299));
    }

    [Fact]
    public void Reads_across_segments_of_a_sequence()
    {
        var first = new Segment(new byte[] { 0x80 });
        var last = first.Append(new byte[] { 0x80, 0x01, 0x05 });
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(first, 0, last, 3));
        Assert.Equal(VarintStatus.Done, Varint.TryRead(ref reader, out ulong value));
        Assert.Equal(16384UL, value);
        Assert.Equal(1, reader.Remaining);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] memory) => Memory = memory;

        public Segment Append(byte[] memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
