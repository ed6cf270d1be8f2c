using System.Runtime.InteropServices;

namespace Quids.Network.Core;

/// <summary>
/// ChaCha20-Poly1305 (IETF, 96-bit nonce) on plain spans. Stateless: the key is passed with every call, so it
/// costs nothing native between calls, where the runtime's <c>ChaCha20Poly1305</c> keeps an OpenSSL context of
/// about 2.3 KiB per instance. Slower than OpenSSL on long messages; Noise uses it for short ones.
/// </summary>
internal static partial class LibSodium
{
    /// <summary>Key length of <c>crypto_aead_chacha20poly1305_ietf</c>, in bytes.</summary>
    public const int AeadKeyLength = 32;

    /// <summary>Nonce length of <c>crypto_aead_chacha20poly1305_ietf</c>, in bytes.</summary>
    public const int AeadNonceLength = 12;

    /// <summary>Tag length of <c>crypto_aead_chacha20poly1305_ietf</c>, in bytes.</summary>
    public const int AeadTagLength = 16;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length; the same memory is
    /// allowed, partial overlap is not) and writes the tag to <paramref name="tag"/>.
    /// </summary>
    public static unsafe void AeadEncrypt(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(key, nonce, tag);
        if (ciphertext.Length < plaintext.Length)
        {
            throw new ArgumentException("The ciphertext span is shorter than the plaintext.", nameof(ciphertext));
        }

        fixed (byte* c = ciphertext)
        fixed (byte* mac = tag)
        fixed (byte* m = plaintext)
        fixed (byte* ad = associatedData)
        fixed (byte* npub = nonce)
        fixed (byte* k = key)
        {
            // Cannot fail for the IETF construction within the 256 GiB per-message limit (frames are 64 KiB).
            _ = crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                c, mac, null, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, npub, k);
        }
    }

    /// <summary>
    /// Verifies <paramref name="tag"/> and decrypts <paramref name="ciphertext"/> into <paramref name="plaintext"/>
    /// (same memory allowed). False, with nothing written, when authentication fails.
    /// </summary>
    public static unsafe bool AeadDecrypt(
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(key, nonce, tag);
        if (plaintext.Length < ciphertext.Length)
        {
            throw new ArgumentException("The plaintext span is shorter than the ciphertext.", nameof(plaintext));
        }

        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertext)
        fixed (byte* mac = tag)
        fixed (byte* ad = associatedData)
        fixed (byte* npub = nonce)
        fixed (byte* k = key)
        {
            return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                m, null, c, (ulong)ciphertext.Length, mac, ad, (ulong)associatedData.Length, npub, k) == 0;
        }
    }

    private static void CheckLengths(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> tag)
    {
        if (key.Length != AeadKeyLength || nonce.Length != AeadNonceLength || tag.Length != AeadTagLength)
        {
            throw new ArgumentException($"ChaCha20-Poly1305 takes a {AeadKeyLength}-byte key, a {AeadNonceLength}-byte nonce and a {AeadTagLength}-byte tag.");
        }
    }

    [LibraryImport(Library)]
    private static unsafe partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    private static unsafe partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);
}
