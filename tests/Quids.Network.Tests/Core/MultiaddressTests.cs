using System.Net;
using Quids.Network.Core;

namespace Quids.Network.Tests.Core;

public class MultiaddressTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1")]
    [InlineData("/ip6/::1/tcp/80", "2900000000000000000000000000000001060050")]
    [InlineData("/dns4/example.com/tcp/443", "360b6578616d706c652e636f6d0601bb")]
    [InlineData("/dns/localhost/tcp/1", "35096c6f63616c686f7374060001")]
    [InlineData("/dns6/h/tcp/2", "370168060002")]
    [InlineData("/ip4/1.2.3.4/udp/53/quic-v1", "040102030491020035cd03")]
    public void Text_and_binary_forms_round_trip_to_the_literal_bytes(string text, string hex)
    {
        var address = Multiaddress.Parse(text);

        Assert.Equal(hex, Convert.ToHexStringLower(address.ToBytes()));
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, Multiaddress.FromBytes(Convert.FromHexString(hex)));
    }

    [Fact]
    public void A_p2p_component_carries_the_peer_id_and_ipfs_is_its_old_name()
    {
        const string id = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
        var address = Multiaddress.Parse($"/ip4/10.0.0.1/tcp/4001/ipfs/{id}");

        Assert.Equal($"/ip4/10.0.0.1/tcp/4001/p2p/{id}", address.ToString());
        Assert.Equal(PeerId.Parse(id), address.GetPeerId());
        Assert.Equal("/ip4/10.0.0.1/tcp/4001", address.WithoutPeerId().ToString());
        Assert.Equal(address, address.WithoutPeerId().WithPeerId(PeerId.Parse(id)));
        Assert.Equal(address, Multiaddress.FromBytes(address.ToBytes()));
        // 0x01a5 as a varint is a5 03; then the 38-byte multihash with its length prefix.
        Assert.Equal("a50326", Convert.ToHexStringLower(address.ToBytes().AsSpan(8, 3)));
    }

    [Fact]
    public void Gives_tcp_endpoints_for_ip_and_dns_addresses()
    {
        Assert.True(Multiaddress.Parse("/ip6/::1/tcp/9/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq").TryGetTcpEndPoint(out var ep));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9), ep);
        Assert.True(Multiaddress.Parse("/dns4/localhost/tcp/7").TryGetTcpEndPoint(out var dns));
        Assert.Equal(new DnsEndPoint("localhost", 7, System.Net.Sockets.AddressFamily.InterNetwork), dns);
        Assert.False(Multiaddress.Parse("/ip4/1.2.3.4/udp/7").TryGetTcpEndPoint(out _));
    }

    [Fact]
    public void FromEndPoint_unmaps_ipv4_mapped_addresses()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 5000);
        Assert.Equal("/ip4/127.0.0.1/tcp/5000", Multiaddress.FromEndPoint(mapped).ToString());
    }

    [Theory]
    [InlineData("ip4/1.2.3.4", "start with '/'")]
    [InlineData("/ip4/1.2.3", "not an IPv4")]
    [InlineData("/ip4/::1", "not an IPv4")]
    [InlineData("/ip6/1.2.3.4", "not an IPv6")]
    [InlineData("/tcp/65536", "port")]
    [InlineData("/tcp", "needs a value")]
    [InlineData("/foo/1", "unknown protocol 'foo'")]
    [InlineData("/p2p/notapeer", "not a peer id")]
    public void Rejects_malformed_text_with_the_reason(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Multiaddress.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("047f0000", "past the end")]
    [InlineData("ff7f", "unknown protocol code")]
    [InlineData("35ff7f", "value length")]
    [InlineData("a50302aabb", "0xaa")]
    public void Rejects_malformed_bytes_with_the_reason(string hex, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Multiaddress.FromBytes(Convert.FromHexString(hex)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_more_components_than_the_limit()
    {
        string text = string.Concat(Enumerable.Repeat("/tcp/1", Multiaddress.MaxComponents + 1));
        Assert.Throws<FormatException>(() => Multiaddress.Parse(text));
    }
}
