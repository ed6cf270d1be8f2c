using System.Security.Cryptography;
using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>
/// The Noise HandshakeState (framework section 5.3) for the XX pattern with 25519, ChaChaPoly and
/// SHA256, as initiator or responder. No I/O: each call consumes or produces one whole message.
/// <code>
/// XX:
///   -> e
///   &lt;- e, ee, s, es
///   -> s, se
/// </code>
/// </summary>
internal sealed partial class NoiseHandshakeState : IDisposable
{
    /// <summary>Messages in the XX pattern.</summary>
    public const int MessageCount = 3;

    private const int StaticOffset = 0;
    private const int EphemeralOffset = NoiseProtocol.DhLength;

    private readonly NoiseSymmetricState _symmetric;

    // Both private keys in one pinned array: the GC never leaves a copy behind, and Dispose wipes it whole.
    private readonly byte[] _privateKeys = GC.AllocateArray<byte>(2 * NoiseProtocol.DhLength, pinned: true);
    private readonly byte[] _staticPublic = new byte[NoiseProtocol.DhLength];
    private readonly bool _ephemeralInjected;
    private byte[]? _remoteEphemeral;
    private byte[]? _remoteStatic;
    private int _messageIndex;
    private bool _split;

    /// <summary>
    /// Initialize(): a fresh XX handshake. The static and ephemeral X25519 private keys are generated
    /// unless given (tests replay published vectors by injecting them).
    /// </summary>
    public NoiseHandshakeState(
        bool isInitiator,
        ReadOnlySpan<byte> prologue = default,
        ReadOnlySpan<byte> staticPrivateKey = default,
        ReadOnlySpan<byte> ephemeralPrivateKey = default)
    {
        IsInitiator = isInitiator;
        _symmetric = new NoiseSymmetricState(NoiseProtocol.ProtocolName);
        _symmetric.MixHash(prologue);
        if (staticPrivateKey.IsEmpty)
        {
            LibSodium.X25519GenerateKey(StaticPrivateKey, _staticPublic);
        }
        else
        {
            ImportPrivateKey(staticPrivateKey, StaticPrivateKey);
            LibSodium.X25519PublicKey(StaticPrivateKey, _staticPublic);
        }

        if (!ephemeralPrivateKey.IsEmpty)
        {
            ImportPrivateKey(ephemeralPrivateKey, EphemeralPrivateKey);
            _ephemeralInjected = true;
        }
    }

    /// <summary>A fresh XX handshake with the node's long-lived static key (its public half already derived).</summary>
    public NoiseHandshakeState(bool isInitiator, NoiseStaticKey staticKey)
    {
        ArgumentNullException.ThrowIfNull(staticKey);
        IsInitiator = isInitiator;
        _symmetric = new NoiseSymmetricState(NoiseProtocol.ProtocolName);
        _symmetric.MixHash(default);
        staticKey.PrivateKey.CopyTo(StaticPrivateKey);
        staticKey.PublicKey.CopyTo(_staticPublic);
    }

    /// <summary>Whether this party sends the first message.</summary>
    public bool IsInitiator { get; }

    /// <summary>Whether all three messages were written or read.</summary>
    public bool IsCompleted => _messageIndex == MessageCount;

    /// <summary>Whether the next message is ours to write (otherwise ours to read).</summary>
    public bool IsMyTurn => !IsCompleted && (_messageIndex % 2 == 0) == IsInitiator;

    /// <summary>Index (0-based) of the next message of the pattern.</summary>
    public int MessageIndex => _messageIndex;

    /// <summary>The handshake hash h; after the last message it is the session's channel binding.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>Our static X25519 public key (32 bytes), which the libp2p payload signs.</summary>
    public ReadOnlySpan<byte> LocalStaticPublicKey => _staticPublic;

    /// <summary>The remote static X25519 public key, once the message carrying it was read.</summary>
    public ReadOnlySpan<byte> RemoteStaticPublicKey => _remoteStatic;

    /// <summary>
    /// Length of the next message we write when it carries <paramref name="payloadLength"/> payload bytes.
    /// </summary>
    public int GetMessageLength(int payloadLength)
    {
        // Tokens fixed by the pattern: message 0 is "e"; 1 is "e, ee, s, es"; 2 is "s, se".
        return _messageIndex switch
        {
            0 => NoiseProtocol.DhLength + payloadLength,
            1 => NoiseProtocol.DhLength + NoiseProtocol.DhLength + NoiseProtocol.TagLength + payloadLength + NoiseProtocol.TagLength,
            2 => NoiseProtocol.DhLength + NoiseProtocol.TagLength + payloadLength + NoiseProtocol.TagLength,
            _ => throw new InvalidOperationException("Noise: the XX handshake is already complete."),
        };
    }

    private Span<byte> StaticPrivateKey => _privateKeys.AsSpan(StaticOffset, NoiseProtocol.DhLength);

    private Span<byte> EphemeralPrivateKey => _privateKeys.AsSpan(EphemeralOffset, NoiseProtocol.DhLength);

    /// <summary>Zeroes the chaining key and the static and ephemeral private keys.</summary>
    public void Dispose()
    {
        _symmetric.Dispose();
        CryptographicOperations.ZeroMemory(_privateKeys);
    }

    private static void ImportPrivateKey(ReadOnlySpan<byte> privateKey, Span<byte> destination)
    {
        if (privateKey.Length != NoiseProtocol.DhLength)
        {
            throw new ArgumentException($"An X25519 private key is {NoiseProtocol.DhLength} bytes, not {privateKey.Length}.", nameof(privateKey));
        }

        privateKey.CopyTo(destination);
    }

    private void MixDh(ReadOnlySpan<byte> localPrivate, byte[] remotePublic, string token)
    {
        Span<byte> secret = stackalloc byte[NoiseProtocol.DhLength];
        try
        {
            if (!LibSodium.X25519Agree(localPrivate, remotePublic, secret))
            {
                // libsodium refuses low-order points (an all-zero result); a peer sending one is hostile or broken.
                throw new NoiseHandshakeException($"Noise: the remote key in the '{token}' step is a low-order X25519 point.");
            }

            _symmetric.MixKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private void EnsureTurn(bool writing)
    {
        ObjectDisposedException.ThrowIf(_split, this);
        if (IsCompleted)
        {
            throw new InvalidOperationException("Noise: the XX handshake is already complete.");
        }

        if (IsMyTurn != writing)
        {
            throw new InvalidOperationException($"Noise: XX message {_messageIndex + 1} is for the other party to {(writing ? "write" : "read")}.");
        }
    }
}
