using System.IO.Pipelines;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Protocols.Identify.Wire;

namespace Quids.Network.Protocols.Identify;

/// <summary>
/// Identify (libp2p/specs identify/README.md). The responder (or, for push, the pusher) writes one
/// varint-length-prefixed Identify protobuf message and closes its write side; the receiver reads messages
/// until the stream ends, merges them, and checks the key against the connection's peer.
/// </summary>
internal static partial class IdentifyProtocol
{
    /// <summary>The request/response variant: the stream opener receives the other side's info.</summary>
    public const string Id = "/ipfs/id/1.0.0";

    /// <summary>The push variant: the stream opener sends its own, changed, info.</summary>
    public const string PushId = "/ipfs/id/push/1.0.0";

    /// <summary>The protocol version we announce: <c>ipfs/0.1.0</c>, what go-libp2p and js-libp2p send.</summary>
    public const string DefaultProtocolVersion = "ipfs/0.1.0";

    /// <summary>
    /// Largest message in bytes, length prefix excluded: 8 KiB, go-libp2p's signedIDSize and js-libp2p's
    /// MAX_IDENTIFY_MESSAGE_SIZE, enough for a signed peer record plus dozens of addresses and protocols.
    /// </summary>
    public const int MaxMessageSize = 8 * 1024;

    /// <summary>
    /// Messages read from one stream before the rest is ignored: 10, go-libp2p's maxMessages and js-libp2p's
    /// MAX_IDENTIFY_MESSAGES (senders may split a large identify, libp2p/specs#709). With
    /// <see cref="MaxMessageSize"/> this bounds one exchange to 80 KiB.
    /// </summary>
    public const int MaxMessages = 10;

    /// <summary>
    /// Answers an identify request (or sends a push): writes <paramref name="local"/> as one message, then
    /// completes <paramref name="pipe"/>'s output. The caller fills <see cref="IdentifyInfo.ObservedAddress"/>
    /// with the remote address of this connection.
    /// </summary>
    /// <exception cref="IdentifyException">Our own message exceeds <see cref="MaxMessageSize"/>.</exception>
    public static async ValueTask RespondAsync(IDuplexPipe pipe, IdentifyInfo local, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        WriteMessage(pipe.Output, local);
        await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await pipe.Output.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Receives the remote's answer on an identify stream we opened: reads until the stream ends (at most
    /// <see cref="MaxMessages"/> messages), then completes our output. A push is read by <see cref="ReadPushAsync"/>.
    /// </summary>
    /// <param name="pipe">The negotiated identify stream.</param>
    /// <param name="remotePeer">The authenticated peer of the connection; the received key must match it.</param>
    /// <param name="cancellationToken">Bounds the wait for the remote to finish; the caller sets the timeout.</param>
    /// <exception cref="IdentifyException">The message is too large, malformed, or not from <paramref name="remotePeer"/>.</exception>
    public static async ValueTask<IdentifyInfo> RequestAsync(IDuplexPipe pipe, PeerId remotePeer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        IdentifyInfo info = await ReadAsync(pipe.Input, remotePeer, cancellationToken).ConfigureAwait(false);
        await pipe.Output.CompleteAsync().ConfigureAwait(false);
        return info;
    }

    /// <summary>Appends <paramref name="info"/> as one length-prefixed message, without flushing.</summary>
    /// <exception cref="IdentifyException">The message exceeds <see cref="MaxMessageSize"/>.</exception>
    public static void WriteMessage(PipeWriter writer, IdentifyInfo info)
    {
        ArgumentNullException.ThrowIfNull(writer);
        IdentifyMessage message = ToMessage(info);
        int size = message.CalculateSize();
        if (size > MaxMessageSize)
        {
            throw new IdentifyException(
                IdentifyFailure.MessageTooLarge,
                $"identify: our own message is {size} bytes; peers accept at most {MaxMessageSize}. Advertise fewer addresses or protocols.");
        }

        Varint.Write(writer, (ulong)size);
        message.WriteTo(writer);
    }

    /// <summary>The wire message for <paramref name="info"/>; absent values stay absent.</summary>
    internal static IdentifyMessage ToMessage(IdentifyInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var message = new IdentifyMessage { PublicKey = ByteString.CopyFrom(info.PublicKey.ToProtobuf()) };
        if (info.ProtocolVersion is not null)
        {
            message.ProtocolVersion = info.ProtocolVersion;
        }

        if (info.AgentVersion is not null)
        {
            message.AgentVersion = info.AgentVersion;
        }

        foreach (Multiaddress address in info.ListenAddresses)
        {
            message.ListenAddrs.Add(ByteString.CopyFrom(address.ToBytes()));
        }

        if (info.ObservedAddress is not null)
        {
            message.ObservedAddr = ByteString.CopyFrom(info.ObservedAddress.ToBytes());
        }

        message.Protocols.Add(info.Protocols);
        if (!info.SignedPeerRecord.IsEmpty)
        {
            message.SignedPeerRecord = ByteString.CopyFrom(info.SignedPeerRecord.Span);
        }

        return message;
    }

    /// <summary>Checks a received (merged) message and turns it into <see cref="IdentifyInfo"/>.</summary>
    /// <exception cref="IdentifyException">No key, an invalid key, or a key of another peer.</exception>
    internal static IdentifyInfo ToInfo(IdentifyMessage message, PeerId remotePeer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(remotePeer);
        if (!message.HasPublicKey)
        {
            // go-libp2p and js-libp2p always send it; js refuses a message without one, and so do we.
            throw new IdentifyException(IdentifyFailure.MissingPublicKey, $"identify: the message from {remotePeer} has no public key.");
        }

        PublicKey publicKey;
        try
        {
            publicKey = PublicKey.FromProtobuf(message.PublicKey.Span);
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            throw new IdentifyException(IdentifyFailure.InvalidPublicKey, $"identify: the public key from {remotePeer} is invalid: {e.Message}");
        }

        PeerId claimed = publicKey.ToPeerId();
        if (claimed != remotePeer)
        {
            throw new IdentifyException(
                IdentifyFailure.PeerIdMismatch,
                $"identify: the public key belongs to peer {claimed}, but the connection's remote peer is {remotePeer}.");
        }

        return new IdentifyInfo
        {
            PublicKey = publicKey,
            ProtocolVersion = message.HasProtocolVersion ? message.ProtocolVersion : null,
            AgentVersion = message.HasAgentVersion ? message.AgentVersion : null,
            ListenAddresses = message.ListenAddrs.Select(TryDecodeAddress).OfType<Multiaddress>().Distinct().ToArray(),
            // js-libp2p sends its connection's remoteAddr, which ends in /p2p/<our id> when it dialed us by a
            // /p2p address; the observed address is where we are reachable, so that suffix is dropped.
            ObservedAddress = message.HasObservedAddr ? TryDecodeAddress(message.ObservedAddr)?.WithoutPeerId() : null,
            Protocols = message.Protocols.Distinct(StringComparer.Ordinal).ToArray(),
            SignedPeerRecord = message.HasSignedPeerRecord ? message.SignedPeerRecord.ToByteArray() : ReadOnlyMemory<byte>.Empty,
        };
    }

    private static Multiaddress? TryDecodeAddress(ByteString bytes)
    {
        try
        {
            return Multiaddress.FromBytes(bytes.Span);
        }
        catch (FormatException)
        {
            // Peers advertise transports we do not know (webrtc, certhash, ...): skip the address, keep the rest.
            return null;
        }
    }
}
