using Quids.Network.Core;
using Quids.Network.Network;
using static Quids.Network.Tests.Network.AddressBook.AddressBookTestKit;

namespace Quids.Network.Tests.Network.AddressBook;

public sealed class AddressBookConcurrencyTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("quids-addrbook-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Many_threads_adding_recording_selecting_and_saving_keep_the_book_consistent()
    {
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxPeers = 150, MaxPeersPerGroup = 20 });
        PeerId[] peers = [.. Enumerable.Range(1, 200).Select(Peer)];
        string path = Path.Combine(_dir.FullName, "peers.json");

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                var peer = peers[(i * 7 + w * 13) % peers.Length];
                var address = Ip4(30 + (i % 12), w, 0, 1 + (i % 5));
                kit.Book.Add(peer, [address], (AddressSource)(1 << (i % 6)));
                switch (i % 5)
                {
                    case 0: kit.Book.RecordFailure(peer, address); break;
                    case 1: kit.Book.RecordConnected(peer, address); break;
                    case 2: _ = kit.Book.SelectForDialing(8); break;
                    case 3: kit.Book.Remove(peers[(i + w) % peers.Length]); break;
                    default: _ = kit.Book.Entries; break;
                }

                if (i % 100 == 0)
                {
                    await kit.Book.SaveAsync(path);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        var entries = kit.Book.Entries;
        Assert.InRange(entries.Count, 1, 150);
        Assert.All(entries, e => Assert.InRange(e.Addresses.Count, 1, 8));
        Assert.All(entries.SelectMany(e => e.Addresses.Select(a => (a.Group, e.PeerId))).Distinct().GroupBy(x => x.Group), g => Assert.True(g.Count() <= 20));
        Assert.Equal(entries.Count, entries.Select(e => e.PeerId).Distinct().Count());

        await kit.Book.SaveAsync(path);
        var reloaded = new AddressBookTestKit(new AddressBookOptions { MaxPeers = 150, MaxPeersPerGroup = 20 });
        Assert.Equal(entries.Count, reloaded.Book.Load(path));
    }
}
