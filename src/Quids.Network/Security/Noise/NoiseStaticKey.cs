using System.Security.Cryptography;
using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>
/// A node's Noise static X25519 key pair and the libp2p handshake payload that goes with it (identity key, its
/// signature over the static public key, the offered muxers), made once and used by every handshake of the node,
/// as rust-libp2p and js-libp2p do. The Noise spec makes the static key long-term; forward secrecy comes from the
/// per-handshake ephemeral keys, which stay fresh. Per connection this saves a key generation and an Ed25519
/// signature on each side. The remote's payload is still verified on every handshake.
/// </summary>
internal sealed class NoiseStaticKey : IDisposable
{
    // Pinned: the GC never leaves a copy of the private key behind; Dispose wipes it.
    private readonly byte[] _privateKey = GC.AllocateArray<byte>(NoiseProtocol.DhLength, pinned: true);
    private readonly byte[] _publicKey = new byte[NoiseProtocol.DhLength];
    private bool _disposed;

    /// <summary>Generates a static key pair and signs it with <paramref name="identity"/>.</summary>
    public NoiseStaticKey(IdentityKeyPair identity, IReadOnlyList<string>? streamMuxers)
    {
        ArgumentNullException.ThrowIfNull(identity);
        LibSodium.X25519GenerateKey(_privateKey, _publicKey);
        Payload = NoisePayloadCodec.Create(identity, _publicKey, streamMuxers);
    }

    /// <summary>The static private key, for <see cref="NoiseHandshakeState"/>.</summary>
    /// <exception cref="ObjectDisposedException">The key was wiped.</exception>
    public ReadOnlySpan<byte> PrivateKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _privateKey;
        }
    }

    /// <summary>The static public key (32 bytes).</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The encoded, signed handshake payload this node sends.</summary>
    public byte[] Payload { get; }

    /// <summary>Wipes the private key; handshakes started afterwards fail.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_privateKey);
    }
}
