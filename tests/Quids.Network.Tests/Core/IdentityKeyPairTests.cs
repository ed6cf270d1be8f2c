using System.Security.Cryptography;
using Quids.Network.Core;

namespace Quids.Network.Tests.Core;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IdentityKeyPairTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("quids-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_signature_verifies_with_the_public_key_and_fails_for_other_data()
    {
        using var pair = IdentityKeyPair.Generate();
        byte[] signature = pair.Sign("hello"u8);

        Assert.Equal(64, signature.Length);
        Assert.True(pair.PublicKey.Verify("hello"u8, signature));
        Assert.False(pair.PublicKey.Verify("hellp"u8, signature));
        Assert.StartsWith("12D3KooW", pair.PeerId.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_key_is_owner_only_and_loads_back_to_the_same_identity()
    {
        string path = Path.Combine(_dir, "sub", "identity.key");
        using var pair = IdentityKeyPair.Generate();
        pair.SaveToFile(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var loaded = IdentityKeyPair.LoadFromFile(path);
        Assert.Equal(pair.PeerId, loaded.PeerId);
        Assert.True(loaded.PublicKey.Verify("x"u8, pair.Sign("x"u8)));
    }

    [Fact]
    public void Refuses_a_key_file_that_others_can_read()
    {
        string path = Path.Combine(_dir, "open.key");
        using var pair = IdentityKeyPair.Generate();
        pair.SaveToFile(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var e = Assert.Throws<UnauthorizedAccessException>(() => IdentityKeyPair.LoadFromFile(path));
        Assert.Contains("chmod 600", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_file_that_is_not_a_key()
    {
        string path = Path.Combine(_dir, "garbage.key");
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var e = Assert.Throws<FormatException>(() => IdentityKeyPair.LoadFromFile(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_creates_once_then_keeps_the_identity()
    {
        string path = Path.Combine(_dir, "node.key");
        using var first = IdentityKeyPair.LoadOrCreate(path);
        using var second = IdentityKeyPair.LoadOrCreate(path);
        Assert.Equal(first.PeerId, second.PeerId);
    }

    [Fact]
    public void Verifies_rsa_and_ecdsa_signatures_as_the_spec_defines_them()
    {
        using var rsa = RSA.Create(2048);
        var rsaKey = PublicKey.Create(KeyType.Rsa, rsa.ExportSubjectPublicKeyInfo());
        byte[] rsaSig = rsa.SignData("m"u8.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(rsaKey.Verify("m"u8, rsaSig));
        Assert.False(rsaKey.Verify("n"u8, rsaSig));
        Assert.StartsWith("Qm", rsaKey.ToPeerId().ToString(), StringComparison.Ordinal);

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecKey = PublicKey.Create(KeyType.Ecdsa, ecdsa.ExportSubjectPublicKeyInfo());
        byte[] ecSig = ecdsa.SignData("m"u8.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        Assert.True(ecKey.Verify("m"u8, ecSig));
        Assert.False(ecKey.Verify("m"u8, new byte[8]));
    }

    [Fact]
    public void Secp256k1_verification_is_refused_clearly()
    {
        var key = PublicKey.FromProtobuf(Convert.FromHexString(PeerIdTests.Secp256k1PublicKey));
        var e = Assert.Throws<NotSupportedException>(() => key.Verify("m"u8, new byte[64]));
        Assert.Contains("Secp256k1", e.Message, StringComparison.Ordinal);
    }
}
