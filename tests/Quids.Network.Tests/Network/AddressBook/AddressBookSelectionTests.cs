using Quids.Network.Network;
using static Quids.Network.Tests.Network.AddressBook.AddressBookTestKit;

namespace Quids.Network.Tests.Network.AddressBook;

public class AddressBookSelectionTests
{
    [Fact]
    public void Spreads_picks_across_network_groups()
    {
        var kit = new AddressBookTestKit();

        // Ten peers in 44.1/16, one each in three other groups.
        for (int i = 1; i <= 10; i++)
        {
            kit.Book.Add(Peer(i), [Ip4(44, 1, 0, i)], AddressSource.Kad);
        }

        kit.Book.Add(Peer(11), [Ip4(55, 1)], AddressSource.Kad);
        kit.Book.Add(Peer(12), [Ip4(66, 1)], AddressSource.Kad);
        kit.Add(Peer(13), AddressSource.Kad, "/ip6/2a01:4f8::1/tcp/4001");

        var picks = kit.Book.SelectForDialing(4);

        Assert.Equal(4, picks.Count);
        Assert.Equal(4, picks.Select(p => p.Addresses[0].Group).Distinct().Count());

        var six = kit.Book.SelectForDialing(6);
        Assert.Equal(3, six.Count(p => p.Addresses[0].Group == "ip4:44.1"));
        Assert.Equal(6, six.Select(p => p.PeerId).Distinct().Count());
    }

    [Fact]
    public void Prefers_recently_successful_peers()
    {
        var kit = new AddressBookTestKit();
        for (int i = 1; i <= 6; i++)
        {
            kit.Book.Add(Peer(i), [Ip4(20 + i, 1)], AddressSource.Kad);
        }

        kit.Book.RecordConnected(Peer(5), Ip4(25, 1));
        kit.Time.Advance(TimeSpan.FromMinutes(1));
        kit.Book.RecordConnected(Peer(3), Ip4(23, 1));

        var picks = kit.Book.SelectForDialing(3);

        Assert.Equal(Peer(3), picks[0].PeerId);
        Assert.Equal(Peer(5), picks[1].PeerId);
    }

    [Fact]
    public void Skips_peers_in_failure_backoff_until_it_expires_and_doubles_it_per_failure()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { FailureBackoff = TimeSpan.FromSeconds(30), MaxFailureBackoff = TimeSpan.FromMinutes(1) });
        kit.Book.Add(Peer(1), [Ip4(21, 1)], AddressSource.Kad);
        kit.Book.Add(Peer(2), [Ip4(22, 1)], AddressSource.Kad);

        kit.Book.RecordFailure(Peer(1), Ip4(21, 1));
        Assert.Equal([Peer(2)], kit.Book.SelectForDialing(10).Select(p => p.PeerId));
        Assert.Equal(kit.Time.GetUtcNow() + TimeSpan.FromSeconds(30), kit.Book.Get(Peer(1))!.RetryAfter);

        kit.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, kit.Book.SelectForDialing(10).Count);

        kit.Book.RecordFailure(Peer(1), Ip4(21, 1));
        Assert.Equal(kit.Time.GetUtcNow() + TimeSpan.FromSeconds(60), kit.Book.Get(Peer(1))!.RetryAfter);
        kit.Book.RecordFailure(Peer(1), Ip4(21, 1));
        Assert.Equal(kit.Time.GetUtcNow() + TimeSpan.FromMinutes(1), kit.Book.Get(Peer(1))!.RetryAfter);
        kit.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Single(kit.Book.SelectForDialing(10));
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, kit.Book.SelectForDialing(10).Count);
    }

    [Fact]
    public void Never_returns_excluded_peers_or_this_node()
    {
        var kit = new AddressBookTestKit();
        kit.Book.Add(Self, [Ip4(20, 1)], AddressSource.Kad);
        kit.Book.Add(Peer(1), [Ip4(21, 1)], AddressSource.Kad);
        kit.Book.Add(Peer(2), [Ip4(22, 1)], AddressSource.Kad);

        var picks = kit.Book.SelectForDialing(10, exclude: [Peer(1)]);

        Assert.Equal([Peer(2)], picks.Select(p => p.PeerId));
        Assert.Empty(kit.Book.SelectForDialing(0));
    }

    [Fact]
    public void Orders_a_peers_addresses_best_first()
    {
        var kit = new AddressBookTestKit();
        kit.Book.Add(Peer(1), [Ip4(21, 1), Ip4(22, 1), Ip4(23, 1)], AddressSource.Identify);
        kit.Book.RecordFailure(Peer(1), Ip4(21, 1));
        kit.Book.RecordConnected(Peer(1), Ip4(23, 1));

        var pick = Assert.Single(kit.Book.SelectForDialing(1));

        Assert.Equal([Ip4(23, 1), Ip4(22, 1), Ip4(21, 1)], pick.Addresses.Select(a => a.Address));
        Assert.Equal(Ip4(23, 1).WithPeerId(Peer(1)), pick.DialAddresses[0]);
    }
}
