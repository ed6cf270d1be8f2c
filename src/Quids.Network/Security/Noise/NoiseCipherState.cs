using System.Buffers.Binary;
using System.Security.Cryptography;
using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>
/// The Noise CipherState (framework section 5.1) for ChaChaPoly: a 32-byte key and a 64-bit counter
/// nonce. No I/O; encryption and decryption work on caller-supplied spans, in place when the
/// plaintext and ciphertext spans start at the same address.
/// </summary>
internal sealed class NoiseCipherState : IDisposable
{
    /// <summary>ChaChaPoly key length, in bytes.</summary>
    public const int KeyLength = 32;

    /// <summary>
    /// 2^64-1 is reserved by the Noise framework (section 5.1): using it would let REKEY's nonce
    /// collide with a message nonce, so a session must end before reaching it.
    /// </summary>
    public const ulong MaxNonce = ulong.MaxValue;

    private const int NonceLength = 12;

    // Messages at least this long (bytes) go through the runtime's ChaCha20Poly1305 (OpenSSL), about 1.7 times
    // as fast as libsodium on 64 KiB frames here, but holding ~2.3 KiB of native context per instance. It is made
    // on the first such message, so a connection that only exchanges short frames (handshake, pings, window
    // updates: an idle one) never holds it; short messages use libsodium's stateless AEAD on the key alone.
    private const int BulkMessageLength = 1024;

    private readonly byte[] _key = new byte[KeyLength];
    private ChaCha20Poly1305? _bulk;
    private bool _hasKey;
    private bool _disposed;

    /// <summary>Whether a key was set; without one, encryption is the identity function.</summary>
    public bool HasKey => _hasKey;

    /// <summary>The nonce the next encryption or decryption will use.</summary>
    public ulong Nonce { get; private set; }

    /// <summary>Sets a new key and resets the nonce to zero.</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"A ChaChaPoly key is {KeyLength} bytes, not {key.Length}.", nameof(key));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        _bulk?.Dispose();
        _bulk = null;
        key.CopyTo(_key);
        _hasKey = true;
        Nonce = 0;
    }

    /// <summary>Sets the nonce, as the framework allows for out-of-order transports.</summary>
    public void SetNonce(ulong nonce) => Nonce = nonce;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (plaintext then the
    /// 16-byte tag) and returns the bytes written. Without a key the plaintext is copied unchanged.
    /// </summary>
    /// <exception cref="NoiseException">The nonce space of this key is exhausted.</exception>
    public int EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (!_hasKey)
        {
            plaintext.CopyTo(ciphertext);
            return plaintext.Length;
        }

        int length = plaintext.Length + NoiseProtocol.TagLength;
        if (ciphertext.Length < length)
        {
            throw new ArgumentException($"Noise: {length} bytes of ciphertext do not fit in {ciphertext.Length}.", nameof(ciphertext));
        }

        ThrowIfNonceExhausted();
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(nonce, Nonce);
        Span<byte> tag = ciphertext.Slice(plaintext.Length, NoiseProtocol.TagLength);
        if (plaintext.Length >= BulkMessageLength)
        {
            (_bulk ??= new ChaCha20Poly1305(_key)).Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], tag, associatedData);
        }
        else
        {
            LibSodium.AeadEncrypt(_key, nonce, plaintext, ciphertext[..plaintext.Length], tag, associatedData);
        }
        Nonce++;
        return length;
    }

    /// <summary>
    /// Decrypts and authenticates <paramref name="ciphertext"/> (encrypted bytes then the tag) into
    /// <paramref name="plaintext"/>. Returns false, leaving the nonce unchanged, when authentication
    /// fails. Without a key the ciphertext is copied unchanged.
    /// </summary>
    /// <exception cref="NoiseException">The nonce space of this key is exhausted.</exception>
    public bool TryDecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int bytesWritten)
    {
        if (!_hasKey)
        {
            ciphertext.CopyTo(plaintext);
            bytesWritten = ciphertext.Length;
            return true;
        }

        bytesWritten = 0;
        if (ciphertext.Length < NoiseProtocol.TagLength)
        {
            return false;
        }

        int length = ciphertext.Length - NoiseProtocol.TagLength;
        if (plaintext.Length < length)
        {
            throw new ArgumentException($"Noise: {length} bytes of plaintext do not fit in {plaintext.Length}.", nameof(plaintext));
        }

        ThrowIfNonceExhausted();
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(nonce, Nonce);
        if (!Decrypt(nonce, ciphertext[..length], ciphertext.Slice(length, NoiseProtocol.TagLength), plaintext[..length], associatedData))
        {
            // The caller turns false into its own error.
            return false;
        }

        Nonce++;
        bytesWritten = length;
        return true;
    }

    /// <summary>REKEY (framework section 4.2): the new key is ENCRYPT(k, 2^64-1, empty, 32 zero bytes).</summary>
    public void Rekey()
    {
        if (!_hasKey)
        {
            throw new InvalidOperationException("Noise: cannot rekey a cipher state that has no key.");
        }

        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(nonce, MaxNonce);
        Span<byte> zeros = stackalloc byte[KeyLength];
        zeros.Clear();
        Span<byte> newKey = stackalloc byte[KeyLength];
        Span<byte> tag = stackalloc byte[NoiseProtocol.TagLength];
        LibSodium.AeadEncrypt(_key, nonce, zeros, newKey, tag, ReadOnlySpan<byte>.Empty);
        ulong keep = Nonce;
        InitializeKey(newKey);
        Nonce = keep;
        CryptographicOperations.ZeroMemory(newKey);
    }

    /// <summary>Zeroes the key and releases the bulk cipher.</summary>
    public void Dispose()
    {
        _disposed = true;
        _hasKey = false;
        _bulk?.Dispose();
        _bulk = null;
        CryptographicOperations.ZeroMemory(_key);
    }

    private bool Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (ciphertext.Length < BulkMessageLength)
        {
            return LibSodium.AeadDecrypt(_key, nonce, ciphertext, tag, plaintext, associatedData);
        }

        try
        {
            (_bulk ??= new ChaCha20Poly1305(_key)).Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        // ChaChaPoly nonce (framework section 12.3): 32 bits of zeros, then the counter little-endian.
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }

    private void ThrowIfNonceExhausted()
    {
        if (Nonce == MaxNonce)
        {
            throw new NoiseException("Noise: the nonce space of this cipher state is exhausted (2^64-1 messages); the session must end.");
        }
    }
}
