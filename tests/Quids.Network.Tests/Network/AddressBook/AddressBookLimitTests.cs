using Quids.Network.Network;
using static Quids.Network.Tests.Network.AddressBook.AddressBookTestKit;

namespace Quids.Network.Tests.Network.AddressBook;

public class AddressBookLimitTests
{
    [Fact]
    public void Keeps_at_most_the_per_peer_address_limit()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxAddressesPerPeer = 3 });

        int added = kit.Book.Add(Peer(1), Enumerable.Range(1, 5).Select(i => Ip4(8, 8, 8, i)), AddressSource.Identify);

        Assert.Equal(3, added);
        Assert.Equal(3, kit.Book.Get(Peer(1))!.Addresses.Count);
        Assert.True(kit.Logs.Contains("already has 3 addresses"));
    }

    [Fact]
    public void A_new_address_replaces_one_that_never_worked_and_failed()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxAddressesPerPeer = 2 });
        kit.Book.Add(Peer(1), [Ip4(8, 8), Ip4(9, 9)], AddressSource.Identify);
        kit.Book.RecordFailure(Peer(1), Ip4(9, 9));

        int added = kit.Book.Add(Peer(1), [Ip4(7, 7)], AddressSource.Identify);

        Assert.Equal(1, added);
        Assert.Equal(["/ip4/8.8.1.1/tcp/4001", "/ip4/7.7.1.1/tcp/4001"], kit.Book.Get(Peer(1))!.Addresses.Select(a => a.Address.ToString()));
    }

    [Fact]
    public void A_full_network_group_refuses_a_fresh_peer_rather_than_evicting_a_good_one()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeersPerGroup = 3 });
        for (int i = 1; i <= 3; i++)
        {
            kit.Book.Add(Peer(i), [Ip4(44, 1, 0, i)], AddressSource.Kad);
        }

        Assert.Equal(0, kit.Book.Add(Peer(4), [Ip4(44, 1, 9, 9)], AddressSource.Kad));
        Assert.Equal(1, kit.Book.Add(Peer(4), [Ip4(44, 2, 9, 9)], AddressSource.Kad));

        Assert.Equal(4, kit.Book.Count);
        Assert.True(kit.Logs.Contains("network group ip4:44.1 is full (3 peers)"));
    }

    [Fact]
    public void A_full_network_group_evicts_its_worst_never_connected_failing_peer()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeersPerGroup = 3 });
        for (int i = 1; i <= 3; i++)
        {
            kit.Book.Add(Peer(i), [Ip4(44, 1, 0, i)], AddressSource.Kad);
        }

        kit.Book.RecordFailure(Peer(1), Ip4(44, 1, 0, 1));
        kit.Book.RecordFailure(Peer(2), Ip4(44, 1, 0, 2));
        kit.Book.RecordFailure(Peer(2), Ip4(44, 1, 0, 2));

        Assert.Equal(1, kit.Book.Add(Peer(4), [Ip4(44, 1, 9, 9)], AddressSource.Kad));

        Assert.Null(kit.Book.Get(Peer(2)));
        Assert.NotNull(kit.Book.Get(Peer(1)));
        Assert.Contains(kit.Logs.Lines, l => l.Contains(" 1402 ", StringComparison.Ordinal) && l.Contains(Peer(2).ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_book_evicts_never_connected_peers_with_the_most_failures_first()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeers = 4 });
        for (int i = 1; i <= 4; i++)
        {
            kit.Book.Add(Peer(i), [Ip4(10 + i, 1)], AddressSource.Kad);
        }

        // Peer 1 once connected but now fails often; 2 never connected, 3 failures; 3 never connected, 1 failure.
        kit.Book.RecordConnected(Peer(1), Ip4(11, 1));
        for (int f = 0; f < 5; f++)
        {
            kit.Book.RecordFailure(Peer(1), Ip4(11, 1));
        }

        for (int f = 0; f < 3; f++)
        {
            kit.Book.RecordFailure(Peer(2), Ip4(12, 1));
        }

        kit.Book.RecordFailure(Peer(3), Ip4(13, 1));

        Assert.Equal(1, kit.Book.Add(Peer(5), [Ip4(15, 1)], AddressSource.Kad));
        Assert.Null(kit.Book.Get(Peer(2)));
        Assert.Equal(1, kit.Book.Add(Peer(6), [Ip4(16, 1)], AddressSource.Kad));
        Assert.Null(kit.Book.Get(Peer(3)));

        // Peer 1 (5 failures, but it once worked) and the untried 4, 5, 6 are not bad enough to evict.
        Assert.Equal(0, kit.Book.Add(Peer(7), [Ip4(17, 1)], AddressSource.Kad));
        Assert.Equal([1, 4, 5, 6], kit.Book.Entries.Select(e => PeerIndex(e.PeerId)).Order());
        Assert.True(kit.Logs.Contains("the book is full (4 peers) and no entry is bad enough to evict"));
    }

    [Fact]
    public void A_once_connected_peer_becomes_evictable_after_many_failures_or_when_stale()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeers = 2, MaxFailuresAfterSuccess = 4, StaleAfter = TimeSpan.FromDays(30) });
        kit.Book.Add(Peer(1), [Ip4(11, 1)], AddressSource.Kad);
        kit.Book.Add(Peer(2), [Ip4(12, 1)], AddressSource.Kad);
        kit.Book.RecordConnected(Peer(1), Ip4(11, 1));
        for (int f = 0; f < 4; f++)
        {
            kit.Book.RecordFailure(Peer(1), Ip4(11, 1));
        }

        Assert.Equal(1, kit.Book.Add(Peer(3), [Ip4(13, 1)], AddressSource.Kad));
        Assert.Null(kit.Book.Get(Peer(1)));

        kit.Time.Advance(TimeSpan.FromDays(31));
        kit.Book.RecordSeen(Peer(3));
        Assert.Equal(1, kit.Book.Add(Peer(4), [Ip4(14, 1)], AddressSource.Kad));
        Assert.Null(kit.Book.Get(Peer(2)));
    }

    [Fact]
    public void Operator_sources_always_get_in_and_are_never_evicted()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeers = 2 });
        kit.Book.Add(Peer(1), [Ip4(11, 1)], AddressSource.Bootstrap);
        kit.Book.Add(Peer(2), [Ip4(12, 1)], AddressSource.Kad);

        Assert.Equal(1, kit.Book.Add(Peer(3), [Ip4(13, 1)], AddressSource.Manual));
        Assert.Null(kit.Book.Get(Peer(2)));

        Assert.Equal(0, kit.Book.Add(Peer(4), [Ip4(14, 1)], AddressSource.Bootstrap));
        Assert.Equal([1, 3], kit.Book.Entries.Select(e => PeerIndex(e.PeerId)).Order());
    }

    [Fact]
    public void A_peer_counts_once_per_group_however_many_addresses_it_has_there()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeersPerGroup = 2 });
        kit.Book.Add(Peer(1), [Ip4(44, 1, 0, 1), Ip4(44, 1, 0, 2), Ip4(44, 1, 0, 3)], AddressSource.Identify);

        Assert.Equal(1, kit.Book.Add(Peer(2), [Ip4(44, 1, 0, 4)], AddressSource.Kad));
        Assert.Equal(0, kit.Book.Add(Peer(3), [Ip4(44, 1, 0, 5)], AddressSource.Kad));
        Assert.Equal(3, kit.Book.Get(Peer(1))!.Addresses.Count);
    }

    [Fact]
    public void Evicts_nothing_for_an_address_the_per_peer_limit_refuses()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxAddressesPerPeer = 1, MaxPeersPerGroup = 1 });
        kit.Book.Add(Peer(1), [Ip4(11, 1)], AddressSource.Identify);
        kit.Book.Add(Peer(2), [Ip4(44, 1)], AddressSource.Kad);
        kit.Book.RecordFailure(Peer(2), Ip4(44, 1));

        Assert.Equal(0, kit.Book.Add(Peer(1), [Ip4(44, 1, 0, 2)], AddressSource.Identify));

        Assert.NotNull(kit.Book.Get(Peer(2)));
        Assert.Equal([Ip4(11, 1)], kit.Book.Get(Peer(1))!.Addresses.Select(a => a.Address));
    }

    [Fact]
    public void All_dns_names_share_one_group()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeersPerGroup = 2 });
        kit.Add(Peer(1), AddressSource.Kad, "/dns4/a.example.org/tcp/1");
        kit.Add(Peer(2), AddressSource.Kad, "/dns6/b.example.net/tcp/1");

        Assert.Equal(0, kit.Add(Peer(3), AddressSource.Kad, "/dnsaddr/c.example.com"));
        Assert.True(kit.Logs.Contains("network group dns is full"));
    }

    private static int PeerIndex(Quids.Network.Core.PeerId peer) =>
        Enumerable.Range(0, 20).First(i => Peer(i) == peer);
}
