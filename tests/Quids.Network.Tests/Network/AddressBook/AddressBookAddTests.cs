using Quids.Network.Network;
using static Quids.Network.Tests.Network.AddressBook.AddressBookTestKit;

namespace Quids.Network.Tests.Network.AddressBook;

public class AddressBookAddTests
{
    [Fact]
    public void Adds_a_peer_with_its_addresses_and_source()
    {
        var kit = new AddressBookTestKit();

        int added = kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001", "/ip6/2606:4700::1/tcp/4001");

        Assert.Equal(2, added);
        var entry = kit.Book.Get(Peer(1))!;
        Assert.Equal(AddressSource.Kad, entry.Sources);
        Assert.Equal(["/ip4/8.8.8.8/tcp/4001", "/ip6/2606:4700::1/tcp/4001"], entry.Addresses.Select(a => a.Address.ToString()));
        Assert.Equal(["ip4:8.8", "ip6:2606:4700"], entry.Addresses.Select(a => a.Group));
        Assert.Equal(kit.Time.GetUtcNow(), entry.FirstSeen);
        Assert.Null(entry.LastConnected);
        Assert.Equal(1, kit.Book.Count);
    }

    [Fact]
    public void Merges_addresses_and_sources_of_a_known_peer()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");
        kit.Time.Advance(TimeSpan.FromMinutes(5));

        int added = kit.Add(Peer(1), AddressSource.Identify, "/ip4/8.8.8.8/tcp/4001", "/dns4/node.example.org/tcp/4001");

        Assert.Equal(1, added);
        var entry = kit.Book.Get(Peer(1))!;
        Assert.Equal(AddressSource.Kad | AddressSource.Identify, entry.Sources);
        Assert.Equal(AddressSource.Kad | AddressSource.Identify, entry.Addresses[0].Sources);
        Assert.Equal(AddressSource.Identify, entry.Addresses[1].Sources);
        Assert.Equal("dns", entry.Addresses[1].Group);
        Assert.Equal(kit.Time.GetUtcNow(), entry.LastSeen);
        Assert.Equal(kit.Time.GetUtcNow() - TimeSpan.FromMinutes(5), entry.FirstSeen);
    }

    [Fact]
    public void Stores_addresses_without_their_p2p_suffix_and_gives_dial_addresses_with_it()
    {
        var kit = new AddressBookTestKit();
        string withId = $"/ip4/8.8.8.8/tcp/4001/p2p/{Peer(1)}";

        kit.Add(Peer(1), AddressSource.Manual, withId);
        int again = kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");

        Assert.Equal(0, again);
        var entry = kit.Book.Get(Peer(1))!;
        Assert.Equal("/ip4/8.8.8.8/tcp/4001", Assert.Single(entry.Addresses).Address.ToString());
        Assert.Equal(withId, Assert.Single(entry.DialAddresses).ToString());
    }

    [Fact]
    public void Rejects_an_address_naming_another_peer()
    {
        var kit = new AddressBookTestKit();

        int added = kit.Add(Peer(1), AddressSource.Kad, $"/ip4/8.8.8.8/tcp/4001/p2p/{Peer(2)}");

        Assert.Equal(0, added);
        Assert.Null(kit.Book.Get(Peer(1)));
        Assert.True(kit.Logs.Contains($"names peer {Peer(2)}"));
    }

    [Fact]
    public void Never_stores_this_nodes_own_peer_id()
    {
        var kit = new AddressBookTestKit();

        kit.Add(Self, AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");

        Assert.Equal(0, kit.Book.Count);
        Assert.True(kit.Logs.Contains("own peer id"));
    }

    [Fact]
    public void Rejects_this_nodes_own_listen_addresses_and_removes_stored_copies()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001", "/ip4/9.9.9.9/tcp/4001");
        kit.Add(Peer(2), AddressSource.Kad, "/ip4/9.9.9.9/tcp/4001");

        kit.Book.SetLocalAddresses([Addr($"/ip4/9.9.9.9/tcp/4001/p2p/{Self}"), Addr("/ip4/0.0.0.0/tcp/5000")]);

        Assert.Equal(["/ip4/8.8.8.8/tcp/4001"], kit.Book.Get(Peer(1))!.Addresses.Select(a => a.Address.ToString()));
        Assert.Null(kit.Book.Get(Peer(2)));
        Assert.Equal(0, kit.Add(Peer(3), AddressSource.Identify, "/ip4/9.9.9.9/tcp/4001"));
        Assert.Equal(0, kit.Add(Peer(3), AddressSource.Identify, "/ip4/127.0.0.1/tcp/5000"));
        Assert.Equal(1, kit.Add(Peer(3), AddressSource.Identify, "/ip4/127.0.0.1/tcp/5001"));
        Assert.True(kit.Logs.Contains("own listen addresses"));
    }

    [Theory]
    [InlineData("/ip4/0.0.0.0/tcp/4001", "this host")]
    [InlineData("/ip6/::/tcp/4001", "this host")]
    [InlineData("/ip4/224.0.0.1/tcp/4001", "multicast")]
    [InlineData("/ip4/255.255.255.255/tcp/4001", "broadcast")]
    [InlineData("/ip6/ff02::1/tcp/4001", "multicast")]
    [InlineData("/ip4/192.0.2.7/tcp/4001", "documentation")]
    [InlineData("/ip6/2001:db8::1/tcp/4001", "documentation")]
    [InlineData("/ip4/8.8.8.8/tcp/0", "port 0")]
    [InlineData("/ip4/8.8.8.8", "no tcp or udp port")]
    [InlineData("/ip4/8.8.8.8/udp/53/quic-v1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit", "relayed")]
    [InlineData("/dns4/-bad-.example/tcp/4001", "not a valid DNS name")]
    [InlineData("/tcp/4001", "not an IP address or DNS name")]
    public void Rejects_unroutable_or_nonsense_addresses_with_a_logged_reason(string address, string reason)
    {
        var kit = new AddressBookTestKit();

        int added = kit.Add(Peer(1), AddressSource.Kad, address);

        Assert.Equal(0, added);
        Assert.Null(kit.Book.Get(Peer(1)));
        Assert.True(kit.Logs.Contains(reason), string.Join('\n', kit.Logs.Lines));
        Assert.Contains(kit.Logs.Lines, l => l.Contains(" 1400 ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/4001")]
    [InlineData("/ip6/::1/tcp/4001")]
    [InlineData("/dns/localhost/tcp/4001")]
    [InlineData("/ip4/192.168.1.10/tcp/4001")]
    [InlineData("/ip4/10.1.2.3/tcp/4001")]
    [InlineData("/ip6/fd00::1/tcp/4001")]
    public void Keeps_loopback_and_private_addresses_by_default(string address)
    {
        var kit = new AddressBookTestKit();

        Assert.Equal(1, kit.Add(Peer(1), AddressSource.Mdns, address));
    }

    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/4001", "loopback")]
    [InlineData("/ip6/::1/tcp/4001", "loopback")]
    [InlineData("/dns4/localhost/tcp/4001", "loopback")]
    [InlineData("/ip4/192.168.1.10/tcp/4001", "private")]
    [InlineData("/ip4/172.20.0.2/tcp/4001", "private")]
    [InlineData("/ip4/100.64.0.1/tcp/4001", "private")]
    [InlineData("/ip4/169.254.1.1/tcp/4001", "private")]
    [InlineData("/ip6/fe80::1/tcp/4001", "private")]
    [InlineData("/ip6/::ffff:10.0.0.1/tcp/4001", "private")]
    public void Rejects_loopback_and_private_addresses_when_the_options_forbid_them(string address, string reason)
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { AllowLoopback = false, AllowPrivate = false });

        Assert.Equal(0, kit.Add(Peer(1), AddressSource.Kad, address));
        Assert.True(kit.Logs.Contains(reason));
        Assert.Equal(1, kit.Add(Peer(1), AddressSource.Kad, "/ip4/172.32.0.1/tcp/4001"));
    }

    [Fact]
    public void Groups_an_ipv4_mapped_ipv6_address_with_its_ipv4_network()
    {
        var kit = new AddressBookTestKit();

        kit.Add(Peer(1), AddressSource.Kad, "/ip6/::ffff:8.8.4.4/tcp/4001");

        Assert.Equal("ip4:8.8", kit.Book.Get(Peer(1))!.Addresses[0].Group);
    }

    [Fact]
    public void Requires_exactly_one_source()
    {
        var kit = new AddressBookTestKit();

        Assert.Throws<ArgumentException>(() => kit.Add(Peer(1), AddressSource.None, "/ip4/8.8.8.8/tcp/1"));
        Assert.Throws<ArgumentException>(() => kit.Add(Peer(1), AddressSource.Kad | AddressSource.Mdns, "/ip4/8.8.8.8/tcp/1"));
    }

    [Fact]
    public void Records_connections_and_failures_per_peer_and_address()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001", "/ip4/9.9.9.9/tcp/4001");

        Assert.True(kit.Book.RecordFailure(Peer(1), Addr("/ip4/8.8.8.8/tcp/4001")));
        Assert.True(kit.Book.RecordFailure(Peer(1), Addr("/ip4/8.8.8.8/tcp/4001")));
        var failed = kit.Book.Get(Peer(1))!;
        Assert.Equal(2, failed.Failures);
        Assert.Equal(kit.Time.GetUtcNow(), failed.LastFailure);
        Assert.Equal("/ip4/9.9.9.9/tcp/4001", failed.Addresses[0].Address.ToString());
        Assert.Equal(2, failed.Addresses[1].Failures);

        kit.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(kit.Book.RecordConnected(Peer(1), Addr($"/ip4/8.8.8.8/tcp/4001/p2p/{Peer(1)}")));
        var connected = kit.Book.Get(Peer(1))!;
        Assert.Equal(0, connected.Failures);
        Assert.Null(connected.RetryAfter);
        Assert.Equal(kit.Time.GetUtcNow(), connected.LastConnected);
        Assert.Equal("/ip4/8.8.8.8/tcp/4001", connected.Addresses[0].Address.ToString());
        Assert.Equal(0, connected.Addresses[0].Failures);

        Assert.False(kit.Book.RecordConnected(Peer(9), Addr("/ip4/8.8.8.8/tcp/4001")));
        Assert.False(kit.Book.RecordSeen(Peer(9)));
    }

    [Fact]
    public void Removes_a_peer()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");

        Assert.True(kit.Book.Remove(Peer(1)));
        Assert.False(kit.Book.Remove(Peer(1)));
        Assert.Empty(kit.Book.Entries);
    }
}
