namespace Quids.Network.Protocols.Kad;

/// <summary>Settings of the Kademlia DHT (<c>/ipfs/kad/1.0.0</c>); validated once when the service starts.</summary>
public sealed class KadOptions
{
    /// <summary>The spec's k: 20.</summary>
    public const int DefaultBucketSize = 20;

    /// <summary>The spec's α: 10, go-libp2p-kad-dht's concurrency.</summary>
    public const int DefaultAlpha = 10;

    /// <summary>10 minutes, go-libp2p-kad-dht's routing table refresh interval.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(10);

    /// <summary>Peers per k-bucket and peers a lookup converges to. Defaults to 20.</summary>
    public int BucketSize { get; set; } = DefaultBucketSize;

    /// <summary>Requests a lookup keeps in flight. Defaults to 10.</summary>
    public int Alpha { get; set; } = DefaultAlpha;

    /// <summary>
    /// Longest wait for one peer during a lookup (dial, stream negotiation and answer). Defaults to 10 s;
    /// a slow peer only costs its slot among the α, the lookup goes on with the others.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest duration of a whole lookup. Defaults to 60 s, go-libp2p-kad-dht's query timeout.</summary>
    public TimeSpan LookupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a bucket may go without a lookup before the periodic refresh looks up a random key in it.
    /// Defaults to 10 minutes. <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> disables the timer.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = DefaultRefreshInterval;

    /// <summary>
    /// Longest a stored record lives without being put again. Defaults to 36 hours, go-libp2p-kad-dht's
    /// maxRecordAge (publishers re-put well before).
    /// </summary>
    public TimeSpan RecordTtl { get; set; } = TimeSpan.FromHours(36);

    /// <summary>Longest a provider record lives. Defaults to 48 hours, the Amino DHT's provider validity.</summary>
    public TimeSpan ProviderTtl { get; set; } = TimeSpan.FromHours(48);

    /// <summary>
    /// Largest record value in bytes accepted by PUT_VALUE. Defaults to 16 KiB: above the 10 KiB IPNS limit,
    /// and with <see cref="MaxRecords"/> it bounds the store to 16 MiB.
    /// </summary>
    public int MaxRecordSize { get; set; } = 16 * 1024;

    /// <summary>Records stored for other peers; a put beyond it is refused. Defaults to 1024.</summary>
    public int MaxRecords { get; set; } = 1024;

    /// <summary>
    /// Longest key in bytes of any request. Defaults to 256: peer ids are at most 44 bytes and /ipns/ or
    /// /pk/ keys and CIDs under 80; longer keys only serve to waste our memory and hashing.
    /// </summary>
    public int MaxKeyLength { get; set; } = 256;

    /// <summary>Providers kept per key; the oldest is dropped for a newer one. Defaults to 64.</summary>
    public int MaxProvidersPerKey { get; set; } = 64;

    /// <summary>Keys with providers stored; further keys are refused. Defaults to 8192.</summary>
    public int MaxProviderKeys { get; set; } = 8192;

    /// <summary>
    /// DHT streams one peer may have open to us at once; more are reset. Defaults to 8: a lookup opens one
    /// stream per request, and a peer has no reason to run many lookups through us at the same time.
    /// </summary>
    public int MaxInboundStreamsPerPeer { get; set; } = 8;

    /// <summary>
    /// Requests per second one peer may send us (a token bucket with a burst of the same size); beyond it
    /// the stream is reset. Defaults to 50, far above what lookups need, far below what a FIND_NODE flood is.
    /// </summary>
    public int MaxRequestsPerPeerPerSecond { get; set; } = 50;

    /// <summary>
    /// Longest wait for the next request on an inbound stream. Defaults to 60 s, go-libp2p-kad-dht's stream
    /// idle timeout.
    /// </summary>
    public TimeSpan InboundIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether peers' private, loopback and link-local addresses are accepted and passed on. Defaults to true,
    /// for devnets and LANs; a node on the public DHT sets it to false, as go's public query filter does.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a setting out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BucketSize, 1, nameof(BucketSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Alpha, 1, nameof(Alpha));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LookupTimeout, TimeSpan.Zero, nameof(LookupTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RecordTtl, TimeSpan.Zero, nameof(RecordTtl));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ProviderTtl, TimeSpan.Zero, nameof(ProviderTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordSize, 1, nameof(MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecords, 0, nameof(MaxRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeyLength, 1, nameof(MaxKeyLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProvidersPerKey, 1, nameof(MaxProvidersPerKey));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxProviderKeys, 0, nameof(MaxProviderKeys));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInboundStreamsPerPeer, 1, nameof(MaxInboundStreamsPerPeer));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestsPerPeerPerSecond, 1, nameof(MaxRequestsPerPeerPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(InboundIdleTimeout, TimeSpan.Zero, nameof(InboundIdleTimeout));
        if (RefreshInterval != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshInterval, TimeSpan.Zero, nameof(RefreshInterval));
        }
    }
}
