using System.Buffers;
using System.Security.Cryptography;
using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

internal sealed partial class NoiseHandshakeState
{
    /// <summary>
    /// WriteMessage(payload): appends the next handshake message to <paramref name="output"/> and
    /// returns its length.
    /// </summary>
    /// <exception cref="NoiseHandshakeException">The message would exceed 65535 bytes.</exception>
    public int WriteMessage(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        EnsureTurn(writing: true);
        int length = GetMessageLength(payload.Length);
        if (length > NoiseProtocol.MaxMessageLength)
        {
            throw new NoiseHandshakeException($"Noise: handshake message {_messageIndex + 1} would be {length} bytes, over the {NoiseProtocol.MaxMessageLength}-byte limit.");
        }

        Span<byte> message = output.GetSpan(length)[..length];
        int offset = 0;
        switch (_messageIndex)
        {
            case 0:
                offset += WriteEphemeral(message);
                break;
            case 1:
                offset += WriteEphemeral(message);
                MixDh(EphemeralPrivateKey, _remoteEphemeral!, "ee");
                offset += _symmetric.EncryptAndHash(_staticPublic, message[offset..]);
                MixDh(StaticPrivateKey, _remoteEphemeral!, "es");
                break;
            default:
                offset += _symmetric.EncryptAndHash(_staticPublic, message);
                MixDh(StaticPrivateKey, _remoteEphemeral!, "se");
                break;
        }

        offset += _symmetric.EncryptAndHash(payload, message[offset..]);
        output.Advance(offset);
        _messageIndex++;
        return offset;
    }

    /// <summary>
    /// ReadMessage(message): processes the next handshake message and appends its decrypted payload
    /// to <paramref name="payload"/>; returns the payload length.
    /// </summary>
    /// <exception cref="NoiseHandshakeException">The message is too long, too short or fails to decrypt.</exception>
    public int ReadMessage(ReadOnlySpan<byte> message, IBufferWriter<byte> payload)
    {
        EnsureTurn(writing: false);
        int number = _messageIndex + 1;
        if (message.Length > NoiseProtocol.MaxMessageLength)
        {
            throw new NoiseHandshakeException($"Noise: handshake message {number} is {message.Length} bytes, over the {NoiseProtocol.MaxMessageLength}-byte limit.");
        }

        int minimum = GetMessageLength(0);
        if (message.Length < minimum)
        {
            throw new NoiseHandshakeException($"Noise: handshake message {number} is {message.Length} bytes, shorter than the {minimum} the XX pattern needs.");
        }

        int offset = 0;
        switch (_messageIndex)
        {
            case 0:
                offset += ReadEphemeral(message);
                break;
            case 1:
                offset += ReadEphemeral(message);
                MixDh(EphemeralPrivateKey, _remoteEphemeral!, "ee");
                offset += ReadStatic(message[offset..], number);
                MixDh(EphemeralPrivateKey, _remoteStatic!, "es");
                break;
            default:
                offset += ReadStatic(message, number);
                MixDh(EphemeralPrivateKey, _remoteStatic!, "se");
                break;
        }

        ReadOnlySpan<byte> ciphertext = message[offset..];
        int plaintextLength = ciphertext.Length - (_symmetric.HasKey ? NoiseProtocol.TagLength : 0);
        Span<byte> destination = payload.GetSpan(Math.Max(plaintextLength, 1));
        int written = _symmetric.DecryptAndHash(ciphertext, destination, $"payload of handshake message {number}");
        payload.Advance(written);
        _messageIndex++;
        return written;
    }

    /// <summary>
    /// Split(): the transport cipher states, oriented for this party. Call once, after the last
    /// message; the handshake's own key material (chaining key, private keys) is zeroed, the handshake hash stays readable.
    /// </summary>
    public NoiseTransportCiphers Split()
    {
        if (!IsCompleted)
        {
            throw new InvalidOperationException($"Noise: cannot split before the XX handshake completes (at message {_messageIndex + 1}).");
        }

        ObjectDisposedException.ThrowIf(_split, this);
        var (initiatorToResponder, responderToInitiator) = _symmetric.Split();
        _split = true;
        _symmetric.Dispose();
        CryptographicOperations.ZeroMemory(_privateKeys);
        return IsInitiator
            ? new NoiseTransportCiphers(initiatorToResponder, responderToInitiator)
            : new NoiseTransportCiphers(responderToInitiator, initiatorToResponder);
    }

    private int WriteEphemeral(Span<byte> destination)
    {
        Span<byte> publicKey = destination[..NoiseProtocol.DhLength];
        if (_ephemeralInjected)
        {
            LibSodium.X25519PublicKey(EphemeralPrivateKey, publicKey);
        }
        else
        {
            LibSodium.X25519GenerateKey(EphemeralPrivateKey, publicKey);
        }

        _symmetric.MixHash(destination[..NoiseProtocol.DhLength]);
        return NoiseProtocol.DhLength;
    }

    private int ReadEphemeral(ReadOnlySpan<byte> message)
    {
        _remoteEphemeral = message[..NoiseProtocol.DhLength].ToArray();
        _symmetric.MixHash(_remoteEphemeral);
        return NoiseProtocol.DhLength;
    }

    private int ReadStatic(ReadOnlySpan<byte> message, int number)
    {
        int length = NoiseProtocol.DhLength + NoiseProtocol.TagLength;
        byte[] remoteStatic = new byte[NoiseProtocol.DhLength];
        _symmetric.DecryptAndHash(message[..length], remoteStatic, $"static key in handshake message {number}");
        _remoteStatic = remoteStatic;
        return length;
    }
}
