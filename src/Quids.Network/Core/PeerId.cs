using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Quids.Network.Core;

/// <summary>
/// A peer's identity: the multihash of its encoded public key (identity multihash when the encoding is at
/// most 42 bytes, as for Ed25519; SHA-256 otherwise). Text form: base58btc (<c>12D3KooW…</c>, <c>Qm…</c>);
/// the CIDv1 form (<c>bafz…</c>) is also parsed.
/// </summary>
public sealed class PeerId : IEquatable<PeerId>
{
    /// <summary>Encoded keys up to this length are inlined with the identity multihash.</summary>
    public const int MaxInlineKeyLength = 42;

    /// <summary>Longest multihash accepted as a peer id: an identity hash of a 42-byte key, or a SHA-256.</summary>
    public const int MaxLength = 2 + MaxInlineKeyLength;

    private const byte IdentityCode = 0x00;
    private const byte Sha256Code = 0x12;
    private const ulong LibP2pKeyCodec = 0x72;

    private readonly byte[] _bytes;
    private string? _text;

    private PeerId(byte[] bytes) => _bytes = bytes;

    /// <summary>The multihash bytes (the binary form used on the wire and in /p2p/ multiaddresses).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    internal ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The peer id of <paramref name="publicKey"/>.</summary>
    public static PeerId FromPublicKey(PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ReadOnlySpan<byte> encoded = publicKey.EncodedSpan;
        byte[] bytes;
        if (encoded.Length <= MaxInlineKeyLength)
        {
            bytes = new byte[2 + encoded.Length];
            bytes[0] = IdentityCode;
            bytes[1] = (byte)encoded.Length;
            encoded.CopyTo(bytes.AsSpan(2));
        }
        else
        {
            bytes = new byte[34];
            bytes[0] = Sha256Code;
            bytes[1] = 32;
            SHA256.HashData(encoded, bytes.AsSpan(2));
        }

        return new PeerId(bytes);
    }

    /// <summary>Reads a peer id from its multihash bytes.</summary>
    /// <exception cref="FormatException">The bytes are not an identity or SHA-256 multihash of a valid size.</exception>
    public static PeerId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (!TryFromBytes(bytes, out var id, out string? error))
        {
            throw new FormatException(error);
        }

        return id;
    }

    /// <summary>Parses the base58btc or CIDv1 text form.</summary>
    /// <exception cref="FormatException">The text is not a peer id; the message says why.</exception>
    public static PeerId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var id, out string? error))
        {
            throw new FormatException($"'{Truncate(text)}' is not a peer id: {error}");
        }

        return id;
    }

    /// <summary>Parses the base58btc or CIDv1 text form, returning false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PeerId? peerId) =>
        TryParse(text, out peerId, out _);

    /// <summary>
    /// The public key inlined in an identity-multihash peer id (every Ed25519 peer id), or null for hashed ids.
    /// </summary>
    public PublicKey? TryGetPublicKey()
    {
        if (_bytes[0] != IdentityCode)
        {
            return null;
        }

        try
        {
            return PublicKey.FromProtobuf(_bytes.AsSpan(2));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>True if <paramref name="publicKey"/> is the key this id was derived from.</summary>
    public bool Matches(PublicKey publicKey) => Equals(FromPublicKey(publicKey));

    /// <summary>The CIDv1 text form (base32, <c>libp2p-key</c> codec), e.g. <c>bafz…</c>.</summary>
    public string ToCidString()
    {
        var cid = new byte[2 + _bytes.Length];
        cid[0] = 0x01;
        cid[1] = (byte)LibP2pKeyCodec;
        _bytes.CopyTo(cid, 2);
        return Multibase.EncodeBase32(cid);
    }

    /// <summary>The canonical base58btc text form.</summary>
    public override string ToString() => _text ??= Base58.Encode(_bytes);

    /// <inheritdoc/>
    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PeerId);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>Equality by value.</summary>
    public static bool operator ==(PeerId? left, PeerId? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by value.</summary>
    public static bool operator !=(PeerId? left, PeerId? right) => !(left == right);

    internal static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out PeerId? peerId, [NotNullWhen(false)] out string? error)
    {
        peerId = null;
        if (bytes.Length < 2)
        {
            error = "a multihash needs at least 2 bytes";
            return false;
        }

        if (bytes.Length > MaxLength)
        {
            error = $"{bytes.Length} bytes is longer than any peer id ({MaxLength})";
            return false;
        }

        byte code = bytes[0];
        int digestLength = bytes[1];
        if (code == Sha256Code ? digestLength != 32 : code != IdentityCode || digestLength > MaxInlineKeyLength)
        {
            error = code is IdentityCode or Sha256Code
                ? $"a digest of {digestLength} bytes is not valid for multihash code 0x{code:x2}"
                : $"multihash code 0x{code:x2} is neither identity (0x00) nor sha2-256 (0x12)";
            return false;
        }

        if (bytes.Length != 2 + digestLength)
        {
            error = $"the multihash says {digestLength} digest bytes but {bytes.Length - 2} follow";
            return false;
        }

        peerId = new PeerId(bytes.ToArray());
        error = null;
        return true;
    }

    private static bool TryParse(string? text, [NotNullWhen(true)] out PeerId? peerId, [NotNullWhen(false)] out string? error)
    {
        peerId = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "it is empty";
            return false;
        }

        if (text[0] == '1' || text.StartsWith("Qm", StringComparison.Ordinal))
        {
            if (!Base58.TryDecode(text, out byte[] bytes))
            {
                error = "it is not valid base58btc";
                return false;
            }

            return TryFromBytes(bytes, out peerId, out error);
        }

        if (!Multibase.TryDecode(text, out byte[] cid))
        {
            error = "it is neither base58btc nor a multibase-encoded CID";
            return false;
        }

        if (Varint.TryRead(cid, out ulong version, out int n1) != VarintStatus.Done || version != 1 ||
            Varint.TryRead(cid.AsSpan(n1), out ulong codec, out int n2) != VarintStatus.Done || codec != LibP2pKeyCodec)
        {
            error = "it is not a CIDv1 with the libp2p-key codec (0x72)";
            return false;
        }

        return TryFromBytes(cid.AsSpan(n1 + n2), out peerId, out error);
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
