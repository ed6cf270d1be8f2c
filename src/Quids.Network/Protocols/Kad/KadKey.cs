using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// A point of the Kademlia key space: SHA-256 of a peer id's bytes or of a DHT key, as the kad-dht spec and
/// go/js compute it, so that our notion of "closest" is the same as theirs.
/// </summary>
internal sealed class KadKey : IEquatable<KadKey>
{
    /// <summary>Bytes of a key: 32, the SHA-256 output.</summary>
    public const int Length = 32;

    /// <summary>Bits of a key, hence the number of k-buckets.</summary>
    public const int Bits = Length * 8;

    private readonly byte[] _bytes;

    private KadKey(byte[] bytes) => _bytes = bytes;

    /// <summary>The 32 bytes of the key.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The key of <paramref name="keyOrPeerIdBytes"/> (SHA-256 of the bytes).</summary>
    public static KadKey FromBytes(ReadOnlySpan<byte> keyOrPeerIdBytes) => new(SHA256.HashData(keyOrPeerIdBytes));

    /// <summary>The key of a peer (SHA-256 of its multihash bytes).</summary>
    public static KadKey ForPeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return FromBytes(peer.Bytes.Span);
    }

    /// <summary>A key given by its 32 raw bytes (no hashing), for tests and simulation.</summary>
    public static KadKey FromRaw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Length)
        {
            throw new ArgumentException($"kad: a raw key has {Length} bytes, not {raw.Length}.", nameof(raw));
        }

        return new KadKey(raw.ToArray());
    }

    /// <summary>Leading bits <paramref name="a"/> and <paramref name="b"/> share (256 when equal).</summary>
    public static int CommonPrefixLength(KadKey a, KadKey b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        for (int i = 0; i < Length; i += 8)
        {
            ulong x = BinaryPrimitives.ReadUInt64BigEndian(a._bytes.AsSpan(i)) ^ BinaryPrimitives.ReadUInt64BigEndian(b._bytes.AsSpan(i));
            if (x != 0)
            {
                return (i * 8) + BitOperations.LeadingZeroCount(x);
            }
        }

        return Bits;
    }

    /// <summary>
    /// Orders <paramref name="a"/> and <paramref name="b"/> by XOR distance to <paramref name="target"/>:
    /// negative when <paramref name="a"/> is closer.
    /// </summary>
    public static int CompareDistance(KadKey target, KadKey a, KadKey b)
    {
        for (int i = 0; i < Length; i++)
        {
            int da = a._bytes[i] ^ target._bytes[i];
            int db = b._bytes[i] ^ target._bytes[i];
            if (da != db)
            {
                return da - db;
            }
        }

        return 0;
    }

    /// <summary>
    /// Random bytes whose key lies in bucket <paramref name="bucketIndex"/> of <paramref name="local"/>'s
    /// table, for bucket refresh: the remote hashes the FIND_NODE key, so we search for a preimage. Expected
    /// cost 2^(256 - bucketIndex) hashes, so callers keep to the deepest buckets (go refreshes only up to a
    /// common prefix of 15 bits, the same bound).
    /// </summary>
    public static byte[] RandomPreimageInBucket(KadKey local, int bucketIndex)
    {
        ArgumentNullException.ThrowIfNull(local);
        int cpl = Bits - 1 - bucketIndex;
        if (cpl is < 0 or > KadRoutingTable.MaxRefreshCommonPrefix)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketIndex), bucketIndex, $"kad: refresh keys exist only for buckets {Bits - 1 - KadRoutingTable.MaxRefreshCommonPrefix}..{Bits - 1}.");
        }

        var candidate = new byte[Length];
        while (true)
        {
            RandomNumberGenerator.Fill(candidate);
            if (CommonPrefixLength(local, FromBytes(candidate)) == cpl)
            {
                return candidate;
            }
        }
    }

    /// <inheritdoc/>
    public bool Equals(KadKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as KadKey);

    /// <inheritdoc/>
    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(_bytes);

    /// <inheritdoc/>
    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
