namespace Quids.Network.Protocols.Kad;

/// <summary>What <see cref="KadRoutingTable.AddOrUpdate"/> did with a peer.</summary>
internal enum KadAddResult
{
    /// <summary>The peer is new and its bucket had room.</summary>
    Added,

    /// <summary>The peer was already in the table; it is now the most recently seen of its bucket.</summary>
    Updated,

    /// <summary>
    /// The bucket is full: the peer went to the bucket's replacement cache and the least recently seen peer
    /// should be pinged (evicted if it does not answer), the spec's rule that keeps old live peers.
    /// </summary>
    BucketFull,

    /// <summary>The peer is ourselves, or does not advertise the DHT protocol: never in the table.</summary>
    Rejected,
}
