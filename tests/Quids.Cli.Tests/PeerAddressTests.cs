namespace Quids.Cli.Tests;

public sealed class PeerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:4001", "/ip4/127.0.0.1/tcp/4001")]
    [InlineData("[::1]:4001", "/ip6/::1/tcp/4001")]
    [InlineData("example.org:4001", "/dns/example.org/tcp/4001")]
    [InlineData("/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA", "/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")]
    public void Reads_multiaddresses_and_host_port(string text, string expected)
    {
        Assert.True(PeerAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("4001")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("::1:4001")]
    [InlineData("/ip4/1.2.3.4")]
    [InlineData("/ip4/999.2.3.4/tcp/1")]
    public void Rejects_what_is_not_a_tcp_peer_address(string text)
    {
        Assert.False(PeerAddress.TryParse(text, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }
}
