using System.Runtime.InteropServices;

namespace Quids.Network.Core;

/// <summary>
/// X25519 and Ed25519 on plain spans, for the Noise handshake: each handshake makes an ephemeral key and
/// three shared secrets, and verifies one signature. Through NSec every such secret is a <c>sodium_malloc</c>
/// block (mmap, mprotect, mlock, then munmap with a TLB flush on every core), which profiling showed to be a
/// quarter of the CPU spent per connection. Callers keep secrets on the stack or in pinned arrays (no copies
/// left behind by the GC) and wipe them with <see cref="System.Security.Cryptography.CryptographicOperations.ZeroMemory"/>.
/// </summary>
internal static partial class LibSodium
{
    /// <summary>X25519 private and public key length, and shared secret length, in bytes.</summary>
    public const int X25519KeyLength = 32;

    /// <summary>Ed25519 public key length, in bytes.</summary>
    public const int Ed25519PublicKeyLength = 32;

    /// <summary>Ed25519 signature length, in bytes.</summary>
    public const int Ed25519SignatureLength = 64;

    /// <summary>Fills <paramref name="privateKey"/> with a new random X25519 private key and returns its public key.</summary>
    public static void X25519GenerateKey(Span<byte> privateKey, Span<byte> publicKey)
    {
        CheckLength(privateKey.Length, X25519KeyLength, nameof(privateKey));
        randombytes_buf(ref MemoryMarshal.GetReference(privateKey), X25519KeyLength);
        X25519PublicKey(privateKey, publicKey);
    }

    /// <summary>The public key of an X25519 private key (scalar multiplication of the base point).</summary>
    public static void X25519PublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        CheckLength(privateKey.Length, X25519KeyLength, nameof(privateKey));
        CheckLength(publicKey.Length, X25519KeyLength, nameof(publicKey));
        if (crypto_scalarmult_curve25519_base(ref MemoryMarshal.GetReference(publicKey), in MemoryMarshal.GetReference(privateKey)) != 0)
        {
            throw new InvalidOperationException("libsodium could not derive an X25519 public key.");
        }
    }

    /// <summary>
    /// X25519(privateKey, remotePublicKey) into <paramref name="sharedSecret"/>. False when the remote key is a
    /// low-order point (the result would be all zeros), which libsodium refuses.
    /// </summary>
    public static bool X25519Agree(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> remotePublicKey, Span<byte> sharedSecret)
    {
        CheckLength(privateKey.Length, X25519KeyLength, nameof(privateKey));
        CheckLength(remotePublicKey.Length, X25519KeyLength, nameof(remotePublicKey));
        CheckLength(sharedSecret.Length, X25519KeyLength, nameof(sharedSecret));
        return crypto_scalarmult_curve25519(
            ref MemoryMarshal.GetReference(sharedSecret), in MemoryMarshal.GetReference(privateKey), in MemoryMarshal.GetReference(remotePublicKey)) == 0;
    }

    /// <summary>Whether <paramref name="signature"/> is a valid Ed25519 signature by <paramref name="publicKey"/> over <paramref name="data"/>.</summary>
    public static bool Ed25519Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519PublicKeyLength || signature.Length != Ed25519SignatureLength)
        {
            return false;
        }

        return crypto_sign_ed25519_verify_detached(
            in MemoryMarshal.GetReference(signature), in MemoryMarshal.GetReference(data), (ulong)data.Length, in MemoryMarshal.GetReference(publicKey)) == 0;
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} bytes, not {actual}.", name);
        }
    }

    [LibraryImport(Library)]
    private static partial void randombytes_buf(ref byte buffer, nuint size);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_curve25519_base(ref byte q, in byte n);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_curve25519(ref byte q, in byte n, in byte p);

    [LibraryImport(Library)]
    private static partial int crypto_sign_ed25519_verify_detached(in byte sig, in byte m, ulong mlen, in byte pk);
}
