namespace Quids.Network.Security.Noise;

/// <summary>
/// Identifiers and limits of the libp2p Noise security protocol
/// (libp2p/specs noise/README.md; Noise protocol framework revision 34).
/// </summary>
internal static class NoiseProtocol
{
    /// <summary>The multistream-select protocol ID that selects this layer.</summary>
    public const string ProtocolId = "/noise";

    /// <summary>The only Noise protocol libp2p speaks; it is hashed into the initial handshake state.</summary>
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";

    /// <summary>
    /// Largest Noise message, handshake or transport, in bytes: 65535. Fixed by the Noise framework
    /// (section 3) and by the libp2p wire format, whose length prefix is a 16-bit big-endian integer.
    /// </summary>
    public const int MaxMessageLength = ushort.MaxValue;

    /// <summary>Size of the big-endian length prefix in front of every Noise message on the wire, in bytes.</summary>
    public const int LengthPrefixLength = 2;

    /// <summary>ChaCha20-Poly1305 authentication tag appended to every encrypted payload, in bytes.</summary>
    public const int TagLength = 16;

    /// <summary>Most plaintext one transport frame can carry: 65535 - 16 = 65519 bytes.</summary>
    public const int MaxPlaintextPerFrame = MaxMessageLength - TagLength;

    /// <summary>X25519 public keys, private keys and shared secrets are all 32 bytes.</summary>
    public const int DhLength = 32;

    /// <summary>SHA-256 output length, the Noise HASHLEN, in bytes.</summary>
    public const int HashLength = 32;

    /// <summary>Text the identity key signs in front of the Noise static public key (libp2p noise spec).</summary>
    public const string StaticKeySignaturePrefix = "noise-libp2p-static-key:";

    /// <summary>
    /// Plaintext each direction of a secure channel buffers before the producer is paused: 1 MiB.
    /// Large enough for several full frames in flight on a fast link, small enough that an idle or
    /// slow peer cannot make one connection hold much memory.
    /// </summary>
    public const long PlaintextPauseThreshold = 1024 * 1024;

    /// <summary>Buffered plaintext below which a paused producer resumes: half the pause threshold.</summary>
    public const long PlaintextResumeThreshold = PlaintextPauseThreshold / 2;
}
