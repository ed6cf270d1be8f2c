using System.Buffers;
using System.IO.Pipelines;
using Quids.Network.Multistream;
using static Quids.Network.Tests.Multistream.MultistreamDialerTests;
using static Quids.Network.Tests.Multistream.TestPipes;

namespace Quids.Network.Tests.Multistream;

public class MultistreamCodecTests
{
    [Fact]
    public async Task Encodes_the_header_as_the_spec_bytes()
    {
        var pipe = new Pipe();
        MultistreamCodec.WriteMessage(pipe.Writer, MultistreamProtocol.Header);
        await pipe.Writer.FlushAsync();

        Assert.Equal(Hex(HeaderHex), await ReadAvailableAsync(pipe.Reader));
    }

    [Fact]
    public void Decodes_na_from_the_spec_bytes()
    {
        var buffer = new ReadOnlySequence<byte>(Hex("03 6e 61 0a ff"));

        Assert.Equal("na", MultistreamCodec.TryReadMessage(ref buffer));
        Assert.Equal(new byte[] { 0xff }, buffer.ToArray());
    }

    [Fact]
    public void Waits_for_the_rest_of_a_split_message()
    {
        var buffer = new ReadOnlySequence<byte>(Hex("03 6e 61"));

        Assert.Null(MultistreamCodec.TryReadMessage(ref buffer));
        Assert.Equal(3, buffer.Length);
    }

    [Theory]
    [InlineData("81 08", NegotiationFailure.MessageTooLong)] // 1025
    [InlineData("ff ff", NegotiationFailure.MessageTooLong)] // still continuing after two bytes
    [InlineData("80 00", NegotiationFailure.InvalidLengthPrefix)] // zero, not minimally encoded
    [InlineData("00", NegotiationFailure.MissingNewline)]
    [InlineData("03 2f 61 62", NegotiationFailure.MissingNewline)]
    [InlineData("03 c3 28 0a", NegotiationFailure.InvalidUtf8)]
    public void Rejects_malformed_messages_saying_which_rule_they_break(string hex, NegotiationFailure expected)
    {
        var buffer = new ReadOnlySequence<byte>(Hex(hex));

        var error = Assert.Throws<ProtocolNegotiationException>(() => MultistreamCodec.TryReadMessage(ref buffer));

        Assert.Equal(expected, error.Reason);
        Assert.StartsWith("multistream-select: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_a_message_of_exactly_the_limit()
    {
        string longest = "/" + new string('x', MultistreamProtocol.MaxMessageLength - 2);
        var pipe = new Pipe();
        MultistreamCodec.WriteMessage(pipe.Writer, longest);
        await pipe.Writer.FlushAsync();

        Assert.Equal(longest, await MultistreamCodec.ReadMessageAsync(pipe.Reader));
        Assert.Throws<ArgumentException>(() => MultistreamCodec.WriteMessage(pipe.Writer, longest + "x"));
    }

    [Fact]
    public async Task Fails_on_an_oversized_prefix_before_the_body_arrives()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex("ff ff"));

        // The writer stays open: the reader must fail on the prefix alone, not wait for 16 KiB.
        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamCodec.ReadMessageAsync(pipe.Reader).AsTask());
        Assert.Equal(NegotiationFailure.MessageTooLong, error.Reason);
    }

    [Fact]
    public async Task Reads_a_message_split_across_many_writes()
    {
        var pipe = new Pipe();
        var read = MultistreamCodec.ReadMessageAsync(pipe.Reader).AsTask();
        foreach (byte b in Hex(HeaderHex))
        {
            await pipe.Writer.WriteAsync(new[] { b });
        }

        Assert.Equal(MultistreamProtocol.Header, await read);
    }
}
