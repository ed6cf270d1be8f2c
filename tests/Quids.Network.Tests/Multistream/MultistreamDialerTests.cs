using System.IO.Pipelines;
using Quids.Network.Multistream;
using static Quids.Network.Tests.Multistream.TestPipes;

namespace Quids.Network.Tests.Multistream;

public class MultistreamDialerTests
{
    internal const string HeaderHex = "13 2f 6d 75 6c 74 69 73 74 72 65 61 6d 2f 31 2e 30 2e 30 0a";
    internal const string SlashAHex = "03 2f 61 0a";
    internal const string SlashBHex = "03 2f 62 0a";
    internal const string NaHex = "03 6e 61 0a";

    [Fact]
    public async Task Sends_the_header_and_the_first_proposal_in_one_flush()
    {
        var (dialer, remote) = CreatePair();
        var select = MultistreamDialer.SelectAsync(dialer, ["/a", "/b"]).AsTask();

        Assert.Equal(Hex(HeaderHex + SlashAHex), await ReadAvailableAsync(remote.Input));

        await WriteAsync(remote.Output, Hex(HeaderHex + SlashAHex));
        Assert.Equal("/a", await select);
    }

    [Fact]
    public async Task Falls_back_to_the_next_protocol_after_na()
    {
        var (dialer, remote) = CreatePair();
        var select = MultistreamDialer.SelectAsync(dialer, ["/a", "/b"]).AsTask();
        Assert.Equal(Hex(HeaderHex + SlashAHex), await ReadExactlyAsync(remote.Input, 24));

        await WriteAsync(remote.Output, Hex(HeaderHex + NaHex));
        Assert.Equal(Hex(SlashBHex), await ReadExactlyAsync(remote.Input, 4));
        await WriteAsync(remote.Output, Hex(SlashBHex));

        Assert.Equal("/b", await select);
    }

    [Fact]
    public async Task Names_every_protocol_when_none_is_supported()
    {
        var (dialer, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + NaHex + NaHex));

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamDialer.SelectAsync(dialer, ["/a", "/b"]).AsTask());

        Assert.Equal(NegotiationFailure.NoneSupported, error.Reason);
        Assert.Equal("multistream-select: none of /a, /b were supported by the remote.", error.Message);
        Assert.Equal(["/a", "/b"], error.Proposed);
    }

    [Fact]
    public async Task Leaves_the_bytes_after_the_answer_for_the_next_reader()
    {
        var (dialer, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + SlashAHex + "68 69"));

        Assert.Equal("/a", await MultistreamDialer.SelectAsync(dialer, ["/a"]));

        Assert.Equal("hi"u8.ToArray(), await ReadExactlyAsync(dialer.Input, 2));
    }

    [Fact]
    public async Task Rejects_a_listener_that_does_not_start_with_the_header()
    {
        var (dialer, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(SlashAHex + SlashAHex));

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamDialer.SelectAsync(dialer, ["/a"]).AsTask());

        Assert.Equal(NegotiationFailure.WrongHeader, error.Reason);
        Assert.Contains("'/a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_an_answer_that_is_neither_the_protocol_nor_na()
    {
        var (dialer, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + SlashBHex));

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamDialer.SelectAsync(dialer, ["/a"]).AsTask());

        Assert.Equal(NegotiationFailure.UnexpectedResponse, error.Reason);
    }

    [Fact]
    public async Task Optimistic_selection_lets_the_first_protocol_bytes_share_the_flush()
    {
        var (dialer, remote) = CreatePair();
        MultistreamDialer.WriteProposal(dialer.Output, "/a");
        await dialer.Output.WriteAsync("hi"u8.ToArray());

        Assert.Equal(Hex(HeaderHex + SlashAHex + "68 69"), await ReadAvailableAsync(remote.Input));

        await WriteAsync(remote.Output, Hex(HeaderHex + SlashAHex));
        await MultistreamDialer.ConfirmAsync(dialer.Input, "/a");
    }

    [Fact]
    public async Task Optimistic_selection_fails_with_a_typed_error_on_na()
    {
        var (dialer, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + NaHex));

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamDialer.SelectOptimisticAsync(dialer, "/a").AsTask());

        Assert.Equal(NegotiationFailure.NoneSupported, error.Reason);
        Assert.Equal(Hex(HeaderHex + SlashAHex), await ReadAvailableAsync(remote.Input));
    }

    [Fact]
    public async Task Fails_when_the_listener_closes_mid_negotiation()
    {
        var (dialer, remote) = CreatePair();
        await WriteAsync(remote.Output, Hex(HeaderHex + "03 2f"));
        await remote.Output.CompleteAsync();

        var error = await Assert.ThrowsAsync<ProtocolNegotiationException>(() => MultistreamDialer.SelectAsync(dialer, ["/a"]).AsTask());

        Assert.Equal(NegotiationFailure.EndOfStream, error.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/with\nnewline")]
    public async Task Refuses_protocol_names_that_cannot_be_sent(string protocol)
    {
        var (dialer, _) = CreatePair();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => MultistreamDialer.SelectAsync(dialer, [protocol]).AsTask());
    }

    [Fact]
    public async Task Refuses_more_proposals_than_a_listener_answers()
    {
        var (dialer, _) = CreatePair();
        string[] many = Enumerable.Range(0, MultistreamProtocol.MaxProposals + 1).Select(i => $"/p/{i}").ToArray();
        await Assert.ThrowsAsync<ArgumentException>(() => MultistreamDialer.SelectAsync(dialer, many).AsTask());
    }
}
