using System.Text.Json.Nodes;
using Quids.Network.Network;
using static Quids.Network.Tests.Network.AddressBook.AddressBookTestKit;

namespace Quids.Network.Tests.Network.AddressBook;

public sealed class AddressBookPersistenceTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("quids-addrbook-");

    private string BookPath => Path.Combine(_dir.FullName, "data", "peers.json");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Saves_and_loads_every_field()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Bootstrap, "/ip4/8.8.8.8/tcp/4001", "/dns4/boot.example.org/tcp/4001");
        kit.Add(Peer(1), AddressSource.Identify, "/ip6/2606:4700::1/tcp/4001");
        kit.Add(Peer(2), AddressSource.Kad, "/ip4/9.9.9.9/tcp/4001");
        kit.Book.RecordConnected(Peer(1), Addr("/ip6/2606:4700::1/tcp/4001"));
        kit.Time.Advance(TimeSpan.FromMinutes(3));
        kit.Book.RecordFailure(Peer(2), Addr("/ip4/9.9.9.9/tcp/4001"));
        Assert.True(kit.Book.IsDirty);

        await kit.Book.SaveAsync(BookPath);
        Assert.False(kit.Book.IsDirty);

        var restarted = new AddressBookTestKit();
        restarted.Time.SetUtcNow(kit.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        Assert.Equal(2, restarted.Book.Load(BookPath));

        Assert.False(restarted.Book.IsDirty);
        Assert.Equal(Describe(kit.Book.Get(Peer(1))!), Describe(restarted.Book.Get(Peer(1))!));
        Assert.Equal(Describe(kit.Book.Get(Peer(2))!), Describe(restarted.Book.Get(Peer(2))!));
        Assert.True(restarted.Logs.Contains("loaded 2 peers"));
    }

    [Fact]
    public async Task Writes_a_versioned_json_file_and_keeps_the_previous_one_as_bak()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");
        await kit.Book.SaveAsync(BookPath);
        kit.Add(Peer(2), AddressSource.Kad, "/ip4/9.9.9.9/tcp/4001");
        await kit.Book.SaveAsync(BookPath);

        var json = JsonNode.Parse(await File.ReadAllTextAsync(BookPath))!;
        Assert.Equal(1, (int)json["version"]!);
        Assert.Equal(2, json["peers"]!.AsArray().Count);
        Assert.Equal("Kad", (string)json["peers"]![0]!["sources"]!);
        Assert.Single(JsonNode.Parse(await File.ReadAllTextAsync(BookPath + ".bak"))!["peers"]!.AsArray());
        Assert.False(File.Exists(BookPath + ".tmp"));
    }

    [Fact]
    public void A_missing_file_is_a_first_start()
    {
        var kit = new AddressBookTestKit();

        Assert.Equal(0, kit.Book.Load(BookPath));

        Assert.True(kit.Logs.Contains("no file at"));
        Assert.Equal(0, kit.Book.Count);
    }

    [Fact]
    public async Task A_crash_mid_write_loads_the_previous_good_copy()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");
        await kit.Book.SaveAsync(BookPath);
        kit.Add(Peer(2), AddressSource.Kad, "/ip4/9.9.9.9/tcp/4001");
        await kit.Book.SaveAsync(BookPath);

        // The crash: a partial temp file, and a main file torn in the middle.
        string good = await File.ReadAllTextAsync(BookPath);
        await File.WriteAllTextAsync(BookPath + ".tmp", good[..(good.Length / 3)]);
        await File.WriteAllTextAsync(BookPath, good[..(good.Length / 2)]);

        var restarted = new AddressBookTestKit();
        Assert.Equal(1, restarted.Book.Load(BookPath));

        Assert.NotNull(restarted.Book.Get(Peer(1)));
        Assert.True(restarted.Book.IsDirty);
        Assert.True(restarted.Logs.Contains("is unreadable (it is not valid address book JSON"), string.Join('\n', restarted.Logs.Lines));
        Assert.True(restarted.Logs.Contains("loading the previous good copy"));
        Assert.True(File.Exists(BookPath + ".bad"));

        // The next save must not rotate the torn file into .bak, and must replace the stale temp file.
        await restarted.Book.SaveAsync(BookPath);
        var again = new AddressBookTestKit();
        Assert.Equal(1, again.Book.Load(BookPath));
        Assert.Equal(1, again.Book.Load(BookPath + ".bak"));
    }

    [Fact]
    public async Task A_crash_between_the_two_renames_loads_the_backup()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");
        await kit.Book.SaveAsync(BookPath);
        File.Move(BookPath, BookPath + ".bak");

        var restarted = new AddressBookTestKit();
        Assert.Equal(1, restarted.Book.Load(BookPath));
        Assert.True(restarted.Logs.Contains("it is missing"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"version\":2,\"peers\":[]}")]
    [InlineData("{\"version\":1}")]
    [InlineData("\u0000\u0000\u0000\u0000")]
    public async Task A_corrupted_file_without_a_backup_starts_empty_with_a_logged_reason(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(BookPath)!);
        await File.WriteAllTextAsync(BookPath, content);
        var kit = new AddressBookTestKit();

        Assert.Equal(0, kit.Book.Load(BookPath));

        Assert.Equal(0, kit.Book.Count);
        Assert.True(kit.Logs.Contains("starting empty"), string.Join('\n', kit.Logs.Lines));
        Assert.False(File.Exists(BookPath));
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_is_not_read()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(BookPath)!);
        await File.WriteAllTextAsync(BookPath, new string(' ', 2048));
        var kit = new AddressBookTestKit(new AddressBookOptions { MaxFileBytes = 1024 });

        Assert.Equal(0, kit.Book.Load(BookPath));
        Assert.True(kit.Logs.Contains("more than MaxFileBytes (1024)"));
    }

    [Fact]
    public async Task Drops_entries_that_are_invalid_or_violate_the_current_limits()
    {
        var kit = new AddressBookTestKit();
        for (int i = 1; i <= 4; i++)
        {
            kit.Book.Add(Peer(i), [Ip4(44, 1, 0, i), Ip4(50 + i, 1), Ip4(60 + i, 1)], AddressSource.Kad);
        }

        kit.Book.RecordConnected(Peer(3), Ip4(44, 1, 0, 3));
        await kit.Book.SaveAsync(BookPath);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(BookPath))!;
        var peers = json["peers"]!.AsArray();
        peers.Add(new JsonObject { ["id"] = "not-a-peer-id", ["addresses"] = new JsonArray() });
        peers.Add(new JsonObject { ["id"] = Self.ToString(), ["addresses"] = new JsonArray(new JsonObject { ["address"] = "/ip4/8.8.8.8/tcp/1" }) });
        peers.Add(new JsonObject { ["id"] = Peer(9).ToString(), ["addresses"] = new JsonArray(new JsonObject { ["address"] = "/ip4/224.0.0.1/tcp/1" }, new JsonObject { ["address"] = "garbage" }) });
        await File.WriteAllTextAsync(BookPath, json.ToJsonString());

        var restarted = new AddressBookTestKit(new AddressBookOptions { MaxPeersPerGroup = 2, MaxAddressesPerPeer = 2, AllowPrivate = false });
        int loaded = restarted.Book.Load(BookPath);

        Assert.Equal(4, loaded);
        Assert.All(restarted.Book.Entries, e => Assert.True(e.Addresses.Count <= 2));
        Assert.Equal(2, restarted.Book.Entries.Count(e => e.Addresses.Any(a => a.Group == "ip4:44.1")));
        Assert.Contains(restarted.Book.Get(Peer(3))!.Addresses, a => a.Group == "ip4:44.1");
        Assert.Null(restarted.Book.Get(Self));
        Assert.Null(restarted.Book.Get(Peer(9)));
        Assert.True(restarted.Logs.Contains("dropped on load"));
        Assert.True(restarted.Book.IsDirty);
    }

    [Fact]
    public async Task Loading_merges_into_peers_added_before()
    {
        var kit = new AddressBookTestKit();
        kit.Add(Peer(1), AddressSource.Kad, "/ip4/8.8.8.8/tcp/4001");
        kit.Book.RecordConnected(Peer(1), Addr("/ip4/8.8.8.8/tcp/4001"));
        await kit.Book.SaveAsync(BookPath);

        var restarted = new AddressBookTestKit();
        restarted.Add(Peer(1), AddressSource.Bootstrap, "/ip4/9.9.9.9/tcp/4001");
        Assert.Equal(1, restarted.Book.Load(BookPath));

        var entry = restarted.Book.Get(Peer(1))!;
        Assert.Equal(AddressSource.Bootstrap | AddressSource.Kad, entry.Sources);
        Assert.Equal(2, entry.Addresses.Count);
        Assert.Equal(kit.Time.GetUtcNow(), entry.LastConnected);
    }

    private static string Describe(AddressBookEntry e) =>
        $"{e.PeerId} {e.Sources} {e.FirstSeen:O} {e.LastSeen:O} {e.LastConnected:O} {e.Failures} {e.LastFailure:O} " +
        string.Join(", ", e.Addresses.Select(a => $"{a.Address} {a.Sources} {a.Group} {a.LastConnected:O} {a.Failures}"));
}
