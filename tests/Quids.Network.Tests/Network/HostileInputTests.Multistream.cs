using System.Text;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network;

public partial class HostileInputTests
{
    private static readonly byte[] MultistreamHeader = [0x13, .. "/multistream/1.0.0\n"u8];

    [Fact]
    public async Task An_http_request_instead_of_multistream_is_refused_as_a_wrong_header()
    {
        await using var arena = await Arena.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(10));
        await using var hostile = await arena.ConnectHostileAsync();

        await hostile.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: victim\r\n\r\n"));

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("WrongHeader", "GET / HTTP/1.1");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task An_oversized_multistream_length_prefix_is_refused_as_too_long()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();

        await hostile.SendAsync([.. MultistreamHeader, 0xFF, 0xFF, 0x03]);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("MessageTooLong", "the limit is 1024");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task An_endless_multistream_line_is_refused_at_the_length_limit()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();

        // Announces the largest allowed message (1024 bytes) and never sends its newline.
        await hostile.SendAsync([.. MultistreamHeader, 0x80, 0x08, .. Enumerable.Repeat((byte)'a', 4096)]);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("MissingNewline", "does not end with a newline");
        await arena.AssertHealthyAsync();
    }
}
