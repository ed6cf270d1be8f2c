using System.Text;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Security.Noise.Wire;

namespace Quids.Network.Security.Noise;

/// <summary>
/// Builds and verifies the libp2p handshake payload: the identity public key, its signature over
/// "noise-libp2p-static-key:" followed by the Noise static public key, and the extensions
/// (early stream muxer negotiation).
/// </summary>
internal static class NoisePayloadCodec
{
    private static readonly byte[] SignaturePrefix = Encoding.ASCII.GetBytes(NoiseProtocol.StaticKeySignaturePrefix);

    /// <summary>The bytes the identity key signs for <paramref name="noiseStaticPublicKey"/>.</summary>
    public static byte[] GetSignedData(ReadOnlySpan<byte> noiseStaticPublicKey)
    {
        byte[] data = new byte[SignaturePrefix.Length + noiseStaticPublicKey.Length];
        SignaturePrefix.CopyTo(data, 0);
        noiseStaticPublicKey.CopyTo(data.AsSpan(SignaturePrefix.Length));
        return data;
    }

    /// <summary>Our payload: identity key, signature over the static key, and the muxers we offer, if any.</summary>
    public static byte[] Create(IdentityKeyPair identity, ReadOnlySpan<byte> noiseStaticPublicKey, IReadOnlyList<string>? streamMuxers)
    {
        var payload = new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
            IdentitySig = ByteString.CopyFrom(identity.Sign(GetSignedData(noiseStaticPublicKey))),
        };
        if (streamMuxers is { Count: > 0 })
        {
            payload.Extensions = new NoiseExtensions();
            payload.Extensions.StreamMuxers.AddRange(streamMuxers);
        }

        return payload.ToByteArray();
    }

    /// <summary>
    /// Parses the remote payload and checks its signature over <paramref name="remoteStaticPublicKey"/>.
    /// </summary>
    /// <exception cref="NoiseHandshakeException">
    /// The payload does not parse, the identity key is missing, malformed or of an unsupported type,
    /// or the signature does not verify.
    /// </exception>
    public static NoiseRemoteIdentity Verify(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> remoteStaticPublicKey)
    {
        NoiseHandshakePayload payload;
        try
        {
            payload = NoiseHandshakePayload.Parser.ParseFrom(encoded);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NoiseHandshakeException($"Noise: the remote handshake payload ({encoded.Length} bytes) is not a valid NoiseHandshakePayload protobuf: {e.Message}", e);
        }

        if (payload.IdentityKey.IsEmpty)
        {
            throw new NoiseHandshakeException("Noise: the remote handshake payload has no identity key.");
        }

        PublicKey identityKey;
        try
        {
            identityKey = PublicKey.FromProtobuf(payload.IdentityKey.Span);
        }
        catch (FormatException e)
        {
            throw new NoiseHandshakeException($"Noise: the remote identity key is malformed or of an unsupported type: {e.Message}", e);
        }

        bool valid;
        try
        {
            valid = identityKey.Verify(GetSignedData(remoteStaticPublicKey), payload.IdentitySig.Span);
        }
        catch (NotSupportedException e)
        {
            throw new NoiseHandshakeException($"Noise: the remote identity key type {identityKey.Type} is not supported: {e.Message}", e);
        }

        PeerId peerId = identityKey.ToPeerId();
        if (!valid)
        {
            throw new NoiseHandshakeException($"Noise: the signature of peer {peerId} over its Noise static key is invalid.");
        }

        IReadOnlyList<string> muxers = payload.Extensions is null ? [] : [.. payload.Extensions.StreamMuxers];
        return new NoiseRemoteIdentity(identityKey, peerId, muxers);
    }
}
