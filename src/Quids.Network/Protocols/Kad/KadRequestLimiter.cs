using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// Per-peer token buckets for inbound DHT requests (no I/O, thread-safe): each peer may send
/// <c>ratePerSecond</c> requests a second with a burst of the same size, so a FIND_NODE flood from one peer
/// is cut off without affecting others.
/// </summary>
internal sealed class KadRequestLimiter(int ratePerSecond, TimeProvider time)
{
    /// <summary>
    /// Peers tracked at once: 4096. Buckets that are full again carry no information and are dropped first,
    /// so the table stays bounded even when many peers come and go.
    /// </summary>
    public const int MaxTrackedPeers = 4096;

    private readonly Dictionary<PeerId, Bucket> _buckets = [];

    /// <summary>Takes one token for <paramref name="peer"/>; false when the peer is over its rate.</summary>
    public bool TryAcquire(PeerId peer)
    {
        var now = time.GetUtcNow();
        lock (_buckets)
        {
            if (!_buckets.TryGetValue(peer, out var bucket))
            {
                if (_buckets.Count >= MaxTrackedPeers)
                {
                    Prune(now);
                }

                bucket = new Bucket { Tokens = ratePerSecond, UpdatedAt = now };
                _buckets[peer] = bucket;
            }

            Refill(bucket, now);
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens--;
            return true;
        }
    }

    private void Refill(Bucket bucket, DateTimeOffset now)
    {
        double elapsed = Math.Max(0, (now - bucket.UpdatedAt).TotalSeconds);
        bucket.Tokens = Math.Min(ratePerSecond, bucket.Tokens + (elapsed * ratePerSecond));
        bucket.UpdatedAt = now;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (peer, bucket) in _buckets)
        {
            Refill(bucket, now);
            if (bucket.Tokens >= ratePerSecond)
            {
                _buckets.Remove(peer);
            }
        }

        if (_buckets.Count >= MaxTrackedPeers)
        {
            // Every tracked peer is busy right now: forget one arbitrary peer rather than grow without bound.
            _buckets.Remove(_buckets.Keys.First());
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }
    }
}
