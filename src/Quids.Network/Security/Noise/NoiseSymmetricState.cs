using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Quids.Network.Security.Noise;

/// <summary>
/// The Noise SymmetricState (framework section 5.2) with SHA-256: chaining key, handshake hash and
/// the handshake's cipher state. HKDF is the framework's own definition (section 4.3) over
/// HMAC-SHA256. No I/O.
/// </summary>
internal sealed class NoiseSymmetricState : IDisposable
{
    /// <summary>
    /// MixHash inputs (h then data) up to this many bytes are hashed from the stack in one call: every XX
    /// handshake message with a libp2p payload fits; longer ones rent a buffer.
    /// </summary>
    private const int MaxStackMixHashLength = 1024;

    private readonly byte[] _chainingKey = new byte[NoiseProtocol.HashLength];
    private readonly byte[] _hash = new byte[NoiseProtocol.HashLength];
    private readonly NoiseCipherState _cipher = new();

    /// <summary>InitializeSymmetric(protocol_name).</summary>
    public NoiseSymmetricState(string protocolName)
    {
        byte[] name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= NoiseProtocol.HashLength)
        {
            name.CopyTo(_hash, 0);
        }
        else
        {
            SHA256.HashData(name, _hash);
        }

        _hash.CopyTo(_chainingKey, 0);
    }

    /// <summary>The handshake hash h; after the handshake it identifies the session (channel binding).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _hash;

    /// <summary>Whether MixKey has run, so payloads are encrypted.</summary>
    public bool HasKey => _cipher.HasKey;

    /// <summary>MixKey(input_key_material): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k).</summary>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> tempKey = stackalloc byte[NoiseProtocol.HashLength];
        Hkdf(_chainingKey, inputKeyMaterial, _chainingKey, tempKey);
        _cipher.InitializeKey(tempKey);
        CryptographicOperations.ZeroMemory(tempKey);
    }

    /// <summary>MixHash(data): h = HASH(h || data).</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        // One-shot SHA256 over a copy: an IncrementalHash would allocate a hash object and context per call.
        // The inputs are public (handshake hash and transmitted bytes), so the copy needs no wiping.
        int length = NoiseProtocol.HashLength + data.Length;
        byte[]? rented = length > MaxStackMixHashLength ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented ?? stackalloc byte[MaxStackMixHashLength];
        _hash.CopyTo(input);
        data.CopyTo(input[NoiseProtocol.HashLength..]);
        SHA256.HashData(input[..length], _hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>EncryptAndHash(plaintext) into <paramref name="destination"/>; returns the bytes written.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int written = _cipher.EncryptWithAd(_hash, plaintext, destination);
        MixHash(destination[..written]);
        return written;
    }

    /// <summary>
    /// DecryptAndHash(ciphertext) into <paramref name="destination"/>, which must not overlap the
    /// ciphertext (the ciphertext is hashed after decryption); returns the bytes written.
    /// </summary>
    /// <exception cref="NoiseHandshakeException">Authentication failed.</exception>
    public int DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> destination, string what)
    {
        if (!_cipher.TryDecryptWithAd(_hash, ciphertext, destination, out int written))
        {
            throw new NoiseHandshakeException($"Noise: the {what} failed to decrypt (wrong key or tampered message).");
        }

        MixHash(ciphertext);
        return written;
    }

    /// <summary>Length of EncryptAndHash's output for <paramref name="plaintextLength"/> bytes.</summary>
    public int GetCiphertextLength(int plaintextLength) => plaintextLength + (HasKey ? NoiseProtocol.TagLength : 0);

    /// <summary>
    /// Split(): temp_k1, temp_k2 = HKDF(ck, empty, 2). The first cipher state encrypts what the
    /// initiator sends, the second what the responder sends.
    /// </summary>
    public (NoiseCipherState InitiatorToResponder, NoiseCipherState ResponderToInitiator) Split()
    {
        Span<byte> k1 = stackalloc byte[NoiseProtocol.HashLength];
        Span<byte> k2 = stackalloc byte[NoiseProtocol.HashLength];
        Hkdf(_chainingKey, ReadOnlySpan<byte>.Empty, k1, k2);
        var c1 = new NoiseCipherState();
        var c2 = new NoiseCipherState();
        c1.InitializeKey(k1);
        c2.InitializeKey(k2);
        CryptographicOperations.ZeroMemory(k1);
        CryptographicOperations.ZeroMemory(k2);
        return (c1, c2);
    }

    /// <summary>Zeroes the chaining key and the handshake cipher state; the hash stays readable.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        _cipher.Dispose();
    }

    /// <summary>
    /// HKDF(chaining_key, input_key_material, 2) as framework section 4.3 defines it. The outputs may
    /// alias the chaining key: it is read only before either output is written.
    /// </summary>
    internal static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2)
    {
        Span<byte> tempKey = stackalloc byte[NoiseProtocol.HashLength];
        Span<byte> block = stackalloc byte[NoiseProtocol.HashLength + 1];
        HMACSHA256.HashData(chainingKey, inputKeyMaterial, tempKey);
        block[0] = 0x01;
        HMACSHA256.HashData(tempKey, block[..1], output1);
        output1.CopyTo(block);
        block[NoiseProtocol.HashLength] = 0x02;
        HMACSHA256.HashData(tempKey, block, output2);
        CryptographicOperations.ZeroMemory(tempKey);
        CryptographicOperations.ZeroMemory(block);
    }
}
