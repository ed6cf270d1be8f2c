using Microsoft.Extensions.Time.Testing;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad;

namespace Quids.Network.Tests.Protocols.Kad;

public class KadRoutingTableTests
{
    private static readonly Multiaddress[] Address = [Multiaddress.Parse("/ip4/10.0.0.1/tcp/4001")];

    [Theory]
    [InlineData(0, 0x80, 255)] // first bit differs: distance 2^255
    [InlineData(0, 0x40, 254)]
    [InlineData(0, 0x01, 248)] // common prefix of 7 bits
    [InlineData(1, 0x80, 247)]
    [InlineData(31, 0x01, 0)] // only the last bit differs: distance 1
    public void Puts_a_key_in_the_bucket_of_its_XOR_distance(int byteIndex, byte value, int bucket)
    {
        var local = KadTestPeers.RawKey();
        var key = KadTestPeers.RawKey((byteIndex, value));

        Assert.Equal(bucket, KadRoutingTable.BucketIndex(local, key));
        Assert.Equal(255 - bucket, KadKey.CommonPrefixLength(local, key));
    }

    [Fact]
    public void Measures_distance_between_two_nonzero_keys_by_their_XOR()
    {
        // 0xF0.. XOR 0xE0.. = 0x10..: three leading bits shared, bucket 252.
        var a = KadTestPeers.RawKey((0, 0xF0), (5, 0x33));
        var b = KadTestPeers.RawKey((0, 0xE0));

        Assert.Equal(252, KadRoutingTable.BucketIndex(a, b));
        Assert.Equal(-1, KadRoutingTable.BucketIndex(a, a));
    }

    [Fact]
    public void Hashes_peer_ids_with_SHA_256()
    {
        var peer = KadTestPeers.Random();

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(peer.Bytes.Span), KadKey.ForPeer(peer).Bytes.ToArray());
    }

    [Fact]
    public void Never_adds_itself_nor_a_peer_without_the_DHT_protocol()
    {
        var local = KadTestPeers.Random();
        var table = new KadRoutingTable(local, new FakeTimeProvider());

        Assert.Equal(KadAddResult.Rejected, table.AddOrUpdate(local, Address));
        Assert.Equal(KadAddResult.Rejected, table.AddIdentified(KadTestPeers.Random(), ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"], Address));
        Assert.Equal(KadAddResult.Added, table.AddIdentified(KadTestPeers.Random(), ["/ipfs/kad/1.0.0"], Address));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Moves_a_seen_peer_to_the_most_recent_end_of_its_bucket()
    {
        var time = new FakeTimeProvider();
        var local = KadTestPeers.Random();
        var table = new KadRoutingTable(local, time);
        var a = KadTestPeers.InBucket(local, 255);
        var b = KadTestPeers.InBucket(local, 255);
        table.AddOrUpdate(a, Address);
        time.Advance(TimeSpan.FromSeconds(1));
        table.AddOrUpdate(b, Address);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(KadAddResult.Updated, table.AddOrUpdate(a, []));

        Assert.Equal([b, a], table.BucketPeers(255).Select(e => e.PeerId));
        Assert.Equal(time.GetUtcNow(), table.Find(a)!.LastSeen);
        Assert.Equal(Address, table.Find(a)!.Addresses); // an update without addresses keeps the known ones
    }

    [Fact]
    public void A_full_bucket_keeps_its_peers_and_offers_the_least_recently_seen_for_a_ping()
    {
        var local = KadTestPeers.Random();
        var table = new KadRoutingTable(local, new FakeTimeProvider(), bucketSize: 3);
        var old = Enumerable.Range(0, 3).Select(_ => KadTestPeers.InBucket(local, 255)).ToArray();
        foreach (var peer in old)
        {
            Assert.Equal(KadAddResult.Added, table.AddOrUpdate(peer, Address));
        }

        var newcomer = KadTestPeers.InBucket(local, 255);

        Assert.Equal(KadAddResult.BucketFull, table.AddOrUpdate(newcomer, Address));
        Assert.Equal(old, table.BucketPeers(255).Select(e => e.PeerId));
        Assert.Equal(newcomer, Assert.Single(table.BucketReplacements(255)).PeerId);
        Assert.Equal(old[0], table.PingCandidate(newcomer)!.PeerId);
        Assert.Null(table.Find(newcomer));
    }

    [Fact]
    public void Removing_an_unresponsive_peer_promotes_the_freshest_replacement()
    {
        var local = KadTestPeers.Random();
        var table = new KadRoutingTable(local, new FakeTimeProvider(), bucketSize: 2);
        var a = KadTestPeers.InBucket(local, 255);
        var b = KadTestPeers.InBucket(local, 255);
        var c = KadTestPeers.InBucket(local, 255);
        var d = KadTestPeers.InBucket(local, 255);
        table.AddOrUpdate(a, Address);
        table.AddOrUpdate(b, Address);
        table.AddOrUpdate(c, Address);
        table.AddOrUpdate(d, Address);

        var promoted = table.Remove(a);

        Assert.Equal(d, promoted!.PeerId);
        Assert.Equal([b, d], table.BucketPeers(255).Select(e => e.PeerId));
        Assert.Equal([c], table.BucketReplacements(255).Select(e => e.PeerId));
    }

    [Fact]
    public void Returns_the_nearest_peers_sorted_by_XOR_distance()
    {
        var local = KadTestPeers.Random();
        var table = new KadRoutingTable(local, new FakeTimeProvider());
        var peers = Enumerable.Range(0, 60).Select(_ => KadTestPeers.Random()).ToList();
        foreach (var peer in peers)
        {
            table.AddOrUpdate(peer, Address);
        }

        var target = KadKey.FromBytes([1, 2, 3]);
        var inTable = table.Peers.ToList();
        var expected = inTable
            .OrderBy(e => Convert.ToHexString(Xor(e.Key, target)), StringComparer.Ordinal)
            .Take(10)
            .Select(e => e.PeerId);

        Assert.Equal(expected, table.NearestPeers(target, 10).Select(e => e.PeerId));
    }

    [Fact]
    public void A_bucket_is_due_for_refresh_when_no_lookup_covered_it_for_the_interval()
    {
        var time = new FakeTimeProvider();
        var local = KadTestPeers.Random();
        var table = new KadRoutingTable(local, time, refreshInterval: TimeSpan.FromMinutes(10));
        table.AddOrUpdate(KadTestPeers.InBucket(local, 254), Address);
        Assert.Empty(table.BucketsDueForRefresh());

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([255, 254], table.BucketsDueForRefresh());

        var refreshKey = KadKey.RandomPreimageInBucket(table.LocalKey, 254);
        table.MarkRefreshed(KadKey.FromBytes(refreshKey));
        Assert.Equal([255], table.BucketsDueForRefresh());
    }

    [Fact]
    public void No_bucket_is_ever_due_when_refresh_is_disabled()
    {
        var time = new FakeTimeProvider();
        var table = new KadRoutingTable(KadTestPeers.Random(), time, refreshInterval: Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromDays(365));

        Assert.Empty(table.BucketsDueForRefresh());
    }

    private static byte[] Xor(KadKey a, KadKey b)
    {
        var result = new byte[KadKey.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (byte)(a.Bytes[i] ^ b.Bytes[i]);
        }

        return result;
    }
}
