using System.Security.Cryptography;

namespace Quids.Network.Core;

/// <summary>
/// A peer's public identity key as the libp2p peer-ids spec encodes it. Ed25519, RSA and ECDSA signatures
/// can be verified; secp256k1 keys are understood (their peer ids are computed) but not verified, because
/// .NET has no secp256k1 curve.
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _data;
    private readonly byte[] _encoded;

    private PublicKey(KeyType type, byte[] data, byte[] encoded)
    {
        Type = type;
        _data = data;
        _encoded = encoded;
    }

    /// <summary>The key type.</summary>
    public KeyType Type { get; }

    /// <summary>The key bytes in the type's own encoding (32 raw bytes for Ed25519).</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>Creates a public key from its type and key bytes.</summary>
    /// <exception cref="FormatException">The bytes are not a valid key of that type.</exception>
    public static PublicKey Create(KeyType type, ReadOnlySpan<byte> data)
    {
        if (type == KeyType.Ed25519 && data.Length != 32)
        {
            throw new FormatException($"An Ed25519 public key is 32 bytes, not {data.Length}.");
        }

        return new PublicKey(type, data.ToArray(), KeyProtobuf.Encode(type, data));
    }

    /// <summary>Decodes the protobuf <c>PublicKey</c> message of the peer-ids spec.</summary>
    /// <exception cref="FormatException">The bytes are not a valid, canonically encoded public key.</exception>
    public static PublicKey FromProtobuf(ReadOnlySpan<byte> encoded)
    {
        var (type, data) = KeyProtobuf.Decode(encoded, "public key");
        var key = Create(type, data);
        if (!encoded.SequenceEqual(key._encoded))
        {
            // Peer ids hash the encoding, so a key with two encodings would have two ids.
            throw new FormatException("The public key is not canonically encoded.");
        }

        return key;
    }

    /// <summary>The protobuf <c>PublicKey</c> message (canonical encoding), as hashed into the peer id.</summary>
    public byte[] ToProtobuf() => (byte[])_encoded.Clone();

    internal ReadOnlySpan<byte> EncodedSpan => _encoded;

    /// <summary>The peer id of this key.</summary>
    public PeerId ToPeerId() => PeerId.FromPublicKey(this);

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="data"/>. False for a wrong signature or a
    /// malformed key.
    /// </summary>
    /// <exception cref="NotSupportedException">The key type is secp256k1, which this library cannot verify.</exception>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        switch (Type)
        {
            case KeyType.Ed25519:
                // Straight into libsodium: an NSec key object per verification costs more than the verification.
                return LibSodium.Ed25519Verify(_data, data, signature);
            case KeyType.Rsa:
                try
                {
                    using var rsa = RSA.Create();
                    rsa.ImportSubjectPublicKeyInfo(_data, out _);
                    return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                }
                catch (CryptographicException)
                {
                    return false;
                }

            case KeyType.Ecdsa:
                try
                {
                    using var ecdsa = ECDsa.Create();
                    ecdsa.ImportSubjectPublicKeyInfo(_data, out _);
                    return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                }
                catch (CryptographicException)
                {
                    return false;
                }

            default:
                throw new NotSupportedException($"Signatures of {Type} keys cannot be verified by this library.");
        }
    }

    /// <inheritdoc/>
    public bool Equals(PublicKey? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_encoded);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type} {Convert.ToHexStringLower(_data)}";
}
