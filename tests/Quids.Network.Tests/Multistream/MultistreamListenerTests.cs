using Quids.Network.Multistream;
using static Quids.Network.Tests.Multistream.MultistreamDialerTests;
using static Quids.Network.Tests.Multistream.TestPipes;

namespace Quids.Network.Tests.Multistream;

public class MultistreamListenerTests
{
    [Fact]
    public async Task Sends_its_header_before_reading_anything()
    {
        var (listener, remote) = CreatePair();
        var negotiate = MultistreamListener.NegotiateAsync(listener, ["/a"]).AsTask();

        Assert.Equal(Hex(HeaderHex), await ReadAvailableAsync(remote.Input));
        await WriteAsync(remote.Output, Hex(HeaderHex + SlashAHex));
        Assert.Equal("/a", await negotiate);
        Assert.Equal(Hex(SlashAHex), await ReadAvailableAsync(remote.Input));
    }

    [Fact]
    public async Task Answers_na_to_an_unknown_protocol_then_accepts_a_known_one()
    {
        var (listener, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + SlashAHex + SlashBHex));

        Assert.Equal("/b", await MultistreamListener.NegotiateAsync(listener, p => p == "/b"));

        Assert.Equal(Hex(HeaderHex + NaHex + SlashBHex), await ReadExactlyAsync(remote.Input, 28));
    }

    [Fact]
    public async Task Answers_ls_with_each_protocol_length_prefixed_then_a_newline()
    {
        var (listener, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + "03 6c 73 0a" + SlashBHex));

        Assert.Equal("/b", await MultistreamListener.NegotiateAsync(listener, ["/a", "/b"]));

        // 09 = 4 + 4 + 1 bytes: [03 "/a\n"] [03 "/b\n"] "\n"
        Assert.Equal(Hex(HeaderHex + "09" + SlashAHex + SlashBHex + "0a" + SlashBHex), await ReadExactlyAsync(remote.Input, 20 + 10 + 4));
    }

    [Fact]
    public async Task Answers_ls_with_na_when_it_only_has_a_predicate()
    {
        var (listener, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + "03 6c 73 0a" + SlashBHex));

        Assert.Equal("/b", await MultistreamListener.NegotiateAsync(listener, p => p == "/b"));
        Assert.Equal(Hex(HeaderHex + NaHex + SlashBHex), await ReadExactlyAsync(remote.Input, 28));
    }

    [Fact]
    public async Task Answers_ls_with_na_when_the_list_would_not_fit_in_one_message()
    {
        var (listener, remote) = CreatePair();
        string[] many = Enumerable.Range(0, 100).Select(i => $"/quids/protocol/{i}").ToArray();
        await WriteAsync(remote.Output, Hex(HeaderHex + "03 6c 73 0a" + SlashBHex));

        var negotiate = MultistreamListener.NegotiateAsync(listener, many).AsTask();

        Assert.Equal(Hex(HeaderHex + NaHex), await ReadExactlyAsync(remote.Input, 24));
        await remote.Output.CompleteAsync();
        Assert.Equal(NegotiationFailure.EndOfStream, (await Assert.ThrowsAsync<ProtocolNegotiationException>(() => negotiate)).Reason);
    }

    [Fact]
    public async Task Leaves_the_bytes_after_the_proposal_for_the_next_reader()
    {
        var (listener, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + SlashAHex + "68 69"));

        Assert.Equal("/a", await MultistreamListener.NegotiateAsync(listener, ["/a"]));

        Assert.Equal("hi"u8.ToArray(), await ReadExactlyAsync(listener.Input, 2));
    }

    [Fact]
    public async Task Gives_up_after_the_maximum_number_of_proposals()
    {
        var (listener, remote) = CreatePair();
        byte[] flood = Hex(HeaderHex + string.Concat(Enumerable.Repeat(SlashAHex, MultistreamProtocol.MaxProposals + 1)));
        await WriteAsync(remote.Output, flood);

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamListener.NegotiateAsync(listener, ["/b"]).AsTask());

        Assert.Equal(NegotiationFailure.TooManyProposals, error.Reason);
    }

    [Fact]
    public async Task Rejects_garbage_before_the_header()
    {
        var (listener, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex("03 78 78 0a" + HeaderHex + SlashAHex));

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamListener.NegotiateAsync(listener, ["/a"]).AsTask());

        Assert.Equal(NegotiationFailure.WrongHeader, error.Reason);
        Assert.Contains("'xx'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_an_endless_line_of_text_without_waiting_for_its_end()
    {
        var (listener, remote) = CreatePair();

        // A peer speaking plain text: 'G' (0x47) reads as a 71-byte message that is not a line.
        byte[] text = "GET / HTTP/1.1 "u8.ToArray();
        var negotiate = MultistreamListener.NegotiateAsync(listener, ["/a"]).AsTask();
        for (int i = 0; i < 8; i++)
        {
            await WriteAsync(remote.Output, text);
        }

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => negotiate);
        Assert.Equal(NegotiationFailure.WrongHeader, error.Reason);
        Assert.Contains("GET / HTTP/1.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_short_text_request_at_its_first_byte_without_waiting_for_more()
    {
        var (listener, remote) = CreatePair();

        // 'G' announces 71 bytes and only 4 come: the first byte alone already differs from the header.
        await WriteAsync(remote.Output, "GET "u8.ToArray());

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamListener.NegotiateAsync(listener, ["/a"]).AsTask());
        Assert.Equal(NegotiationFailure.WrongHeader, error.Reason);
        Assert.Contains("\"GET \"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completes_negotiation_between_a_dialer_and_a_listener()
    {
        var (dialerEnd, listenerEnd) = CreatePair();

        var listener = MultistreamListener.NegotiateAsync(listenerEnd, ["/yamux/1.0.0"]).AsTask();
        var dialer = MultistreamDialer.SelectAsync(dialerEnd, ["/mplex/6.7.0", "/yamux/1.0.0"]).AsTask();

        Assert.Equal("/yamux/1.0.0", await dialer);
        Assert.Equal("/yamux/1.0.0", await listener);

        await dialerEnd.Output.WriteAsync("ping"u8.ToArray());
        Assert.Equal("ping"u8.ToArray(), await ReadExactlyAsync(listenerEnd.Input, 4));
    }

    [Fact]
    public async Task Fails_both_sides_cleanly_when_nothing_is_shared()
    {
        var (dialerEnd, listenerEnd) = CreatePair();

        var listener = MultistreamListener.NegotiateAsync(listenerEnd, ["/b"]).AsTask();
        var dialerError = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamDialer.SelectAsync(dialerEnd, ["/a"]).AsTask());
        await dialerEnd.Output.CompleteAsync();

        Assert.Equal(NegotiationFailure.NoneSupported, dialerError.Reason);
        var listenerError = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => listener);
        Assert.Equal(NegotiationFailure.EndOfStream, listenerError.Reason);
    }
}
