using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// The Kademlia routing table (no I/O, not thread-safe: the owner locks): 256 k-buckets, bucket i holding the
/// peers at XOR distance [2^i, 2^(i+1)) from us in the SHA-256 key space, i.e. i = 255 - common prefix length.
/// A full bucket keeps its peers (old live peers are the most likely to stay, per the Kademlia paper and the
/// spec); a newcomer waits in the replacement cache until the least recently seen peer fails a ping.
/// </summary>
internal sealed class KadRoutingTable
{
    /// <summary>
    /// Deepest common prefix for which buckets are refreshed: 15 bits, as go-libp2p-kad-dht's maxCplForRefresh;
    /// finding a key for a deeper bucket costs 2^(cpl+1) hashes, and buckets that deep are near-empty anyway.
    /// </summary>
    public const int MaxRefreshCommonPrefix = 15;

    private readonly KadBucket[] _buckets = new KadBucket[KadKey.Bits];
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;

    /// <param name="local">Our own peer id; never added.</param>
    /// <param name="time">The clock for last-seen and refresh times.</param>
    /// <param name="bucketSize">k, peers per bucket. Defaults to 20, the spec's k.</param>
    /// <param name="refreshInterval">How long a bucket may go without a lookup before it is due for refresh. Defaults to 10 min; infinite: never due.</param>
    public KadRoutingTable(PeerId local, TimeProvider time, int bucketSize = KadOptions.DefaultBucketSize, TimeSpan? refreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketSize, 1);
        LocalPeerId = local;
        LocalKey = KadKey.ForPeer(local);
        _time = time;
        _refreshInterval = refreshInterval ?? KadOptions.DefaultRefreshInterval;
        var now = time.GetUtcNow();
        for (int i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new KadBucket(bucketSize, now);
        }
    }

    public PeerId LocalPeerId { get; }

    public KadKey LocalKey { get; }

    /// <summary>Peers in the table (replacement caches excluded).</summary>
    public int Count => _buckets.Sum(b => b.Peers.Count);

    /// <summary>Every peer of the table, bucket by bucket.</summary>
    public IEnumerable<KadTableEntry> Peers => _buckets.SelectMany(b => b.Peers);

    /// <summary>
    /// The bucket of <paramref name="key"/> in <paramref name="local"/>'s table: floor(log2(XOR distance)),
    /// 0..255; -1 when the keys are equal.
    /// </summary>
    public static int BucketIndex(KadKey local, KadKey key) => KadKey.Bits - 1 - KadKey.CommonPrefixLength(local, key);

    public IReadOnlyList<KadTableEntry> BucketPeers(int index) => _buckets[index].Peers;

    public IReadOnlyList<KadTableEntry> BucketReplacements(int index) => _buckets[index].Replacements;

    /// <summary>
    /// Adds a peer identify reported, if it advertises <see cref="KadProtocol.Id"/>: clients of the DHT are
    /// never added, or lookups would waste queries on peers that cannot answer (the client/server mode rule).
    /// </summary>
    public KadAddResult AddIdentified(PeerId peer, IEnumerable<string> protocols, IReadOnlyList<Multiaddress> addresses) =>
        KadProtocol.IsServer(protocols) ? AddOrUpdate(peer, addresses) : KadAddResult.Rejected;

    /// <summary>Adds or refreshes a peer known to serve the DHT, and records it as seen now.</summary>
    public KadAddResult AddOrUpdate(PeerId peer, IReadOnlyList<Multiaddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer == LocalPeerId)
        {
            return KadAddResult.Rejected;
        }

        var key = KadKey.ForPeer(peer);
        var bucket = _buckets[BucketIndex(LocalKey, key)];
        var now = _time.GetUtcNow();
        if (bucket.Find(peer) is { } existing)
        {
            existing.LastSeen = now;
            if (addresses.Count > 0)
            {
                existing.Addresses = addresses;
            }

            bucket.Touch(existing);
            return KadAddResult.Updated;
        }

        var entry = new KadTableEntry(peer, key, addresses, now);
        if (bucket.IsFull)
        {
            bucket.AddReplacement(entry);
            return KadAddResult.BucketFull;
        }

        bucket.Add(entry);
        return KadAddResult.Added;
    }

    /// <summary>The peer of <paramref name="peer"/>'s bucket to ping before replacing anyone: its least recently seen.</summary>
    public KadTableEntry? PingCandidate(PeerId peer)
    {
        var bucket = _buckets[BucketIndex(LocalKey, KadKey.ForPeer(peer))];
        return bucket.Peers.Count > 0 ? bucket.Peers[0] : null;
    }

    /// <summary>Removes a peer (e.g. it failed a ping); the freshest replacement of its bucket takes its place.</summary>
    /// <returns>The replacement promoted into the bucket, if any.</returns>
    public KadTableEntry? Remove(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer == LocalPeerId)
        {
            return null;
        }

        _buckets[BucketIndex(LocalKey, KadKey.ForPeer(peer))].Remove(peer, out var promoted);
        return promoted;
    }

    public KadTableEntry? Find(PeerId peer) =>
        peer == LocalPeerId ? null : _buckets[BucketIndex(LocalKey, KadKey.ForPeer(peer))].Find(peer);

    /// <summary>The <paramref name="count"/> peers closest to <paramref name="key"/>, closest first.</summary>
    public List<KadTableEntry> NearestPeers(KadKey key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        var all = Peers.ToList();
        all.Sort((a, b) => KadKey.CompareDistance(key, a.Key, b.Key));
        if (all.Count > count)
        {
            all.RemoveRange(count, all.Count - count);
        }

        return all;
    }

    /// <summary>Records that a lookup for <paramref name="key"/> finished, which refreshes the bucket it falls in.</summary>
    public void MarkRefreshed(KadKey key)
    {
        int index = BucketIndex(LocalKey, key);
        if (index >= 0)
        {
            _buckets[index].LastRefreshed = _time.GetUtcNow();
        }
    }

    /// <summary>
    /// Buckets not covered by a lookup for the refresh interval, among those worth refreshing: from the farthest
    /// (255) to the deepest one holding peers, and never deeper than <see cref="MaxRefreshCommonPrefix"/>.
    /// </summary>
    public List<int> BucketsDueForRefresh()
    {
        if (_refreshInterval == Timeout.InfiniteTimeSpan)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        int deepestUsed = KadKey.Bits - 1;
        for (int i = 0; i < _buckets.Length; i++)
        {
            if (_buckets[i].Peers.Count > 0)
            {
                deepestUsed = i;
                break;
            }
        }

        int lowest = Math.Max(deepestUsed, KadKey.Bits - 1 - MaxRefreshCommonPrefix);
        var due = new List<int>();
        for (int i = KadKey.Bits - 1; i >= lowest; i--)
        {
            if (now - _buckets[i].LastRefreshed >= _refreshInterval)
            {
                due.Add(i);
            }
        }

        return due;
    }
}
