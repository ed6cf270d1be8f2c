using System.Security.Cryptography;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad;

namespace Quids.Network.Tests.Protocols.Kad;

/// <summary>Cheap peer ids for engine tests: sha2-256 multihashes of random bytes (no key generation).</summary>
internal static class KadTestPeers
{
    /// <summary>A peer id drawn from <paramref name="random"/>, so simulations repeat exactly for a seed.</summary>
    public static PeerId From(Random random)
    {
        var bytes = new byte[34];
        bytes[0] = 0x12;
        bytes[1] = 0x20;
        random.NextBytes(bytes.AsSpan(2));
        return PeerId.FromBytes(bytes);
    }

    public static PeerId Random()
    {
        var bytes = new byte[34];
        bytes[0] = 0x12;
        bytes[1] = 0x20;
        RandomNumberGenerator.Fill(bytes.AsSpan(2));
        return PeerId.FromBytes(bytes);
    }

    /// <summary>A random peer whose key falls in bucket <paramref name="bucket"/> of <paramref name="local"/>'s table (bucket ≥ 250).</summary>
    public static PeerId InBucket(PeerId local, int bucket)
    {
        var localKey = KadKey.ForPeer(local);
        while (true)
        {
            var peer = Random();
            if (KadRoutingTable.BucketIndex(localKey, KadKey.ForPeer(peer)) == bucket)
            {
                return peer;
            }
        }
    }

    public static KadKey RawKey(params (int Index, byte Value)[] bytes)
    {
        var raw = new byte[KadKey.Length];
        foreach (var (index, value) in bytes)
        {
            raw[index] = value;
        }

        return KadKey.FromRaw(raw);
    }

    public static KadPeerInfo Info(PeerId peer) => new(peer, [Multiaddress.Parse("/ip4/10.0.0.1/tcp/4001")]);
}
