using Quids.Network.Core;

namespace Quids.Network.Tests.Core;

/// <summary>Vectors from libp2p/specs peer-ids/peer-ids.md ("Test vectors" and "String representation").</summary>
public class PeerIdTests
{
    public const string Ed25519PrivateKey = "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    public const string Ed25519PublicKey = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    public const string EcdsaPublicKey = "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62";
    public const string Secp256k1PublicKey = "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";

    [Fact]
    public void The_spec_ed25519_public_key_gives_an_identity_multihash_peer_id()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(Ed25519PublicKey));
        var id = key.ToPeerId();

        Assert.Equal(KeyType.Ed25519, key.Type);
        Assert.Equal("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", id.ToString());
        Assert.Equal("0024" + Ed25519PublicKey, Convert.ToHexStringLower(id.Bytes.Span));
        Assert.Equal(key, id.TryGetPublicKey());
    }

    [Fact]
    public void The_spec_ecdsa_public_key_is_longer_than_42_bytes_so_its_peer_id_is_a_sha256()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(EcdsaPublicKey));
        var id = key.ToPeerId();

        Assert.Equal(KeyType.Ecdsa, key.Type);
        Assert.Equal("QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk", id.ToString());
        Assert.Null(id.TryGetPublicKey());
        Assert.True(id.Matches(key));
    }

    [Fact]
    public void The_spec_secp256k1_public_key_is_inlined()
    {
        var id = PublicKey.FromProtobuf(Convert.FromHexString(Secp256k1PublicKey)).ToPeerId();
        Assert.Equal("16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY", id.ToString());
    }

    [Fact]
    public void The_spec_private_key_vector_yields_the_spec_public_key()
    {
        using var pair = IdentityKeyPair.FromProtobuf(Convert.FromHexString(Ed25519PrivateKey));

        Assert.Equal(Ed25519PublicKey, Convert.ToHexStringLower(pair.PublicKey.ToProtobuf()));
        Assert.Equal(Ed25519PrivateKey, Convert.ToHexStringLower(pair.ToProtobuf()));
    }

    [Theory]
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")]
    [InlineData("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")]
    public void Parses_both_text_forms_of_the_spec_example_to_the_same_id(string text)
    {
        var id = PeerId.Parse(text);
        Assert.Equal("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", id.ToString());
        Assert.Equal("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe", id.ToCidString());
    }

    [Fact]
    public void Parses_the_spec_ed25519_example_and_formats_it_back()
    {
        const string text = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
        var id = PeerId.Parse(text);
        Assert.Equal(text, id.ToString());
        Assert.Equal(KeyType.Ed25519, id.TryGetPublicKey()!.Type);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("12D3KooW0000", "base58")]
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5", "multihash")]
    [InlineData("hello", "neither")]
    public void Rejects_text_that_is_not_a_peer_id_with_a_reason(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => PeerId.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Rejects_a_multihash_with_an_unsupported_code()
    {
        var e = Assert.Throws<FormatException>(() => PeerId.FromBytes([0x13, 0x02, 0x01, 0x02]));
        Assert.Contains("0x13", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_non_canonical_public_key_encoding()
    {
        // Data before Type: same fields, different bytes, so a different peer id would result.
        byte[] swapped = Convert.FromHexString("12201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e0801");
        Assert.Throws<FormatException>(() => PublicKey.FromProtobuf(swapped));
    }

    [Fact]
    public void Equal_ids_are_equal_and_hash_alike()
    {
        var a = PeerId.Parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
        var b = PublicKey.FromProtobuf(Convert.FromHexString(Ed25519PublicKey)).ToPeerId();
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }
}
