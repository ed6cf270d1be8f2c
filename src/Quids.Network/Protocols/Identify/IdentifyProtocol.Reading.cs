using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Protocols.Identify.Wire;

namespace Quids.Network.Protocols.Identify;

internal static partial class IdentifyProtocol
{
    /// <summary>
    /// Reads messages until the stream ends (or <see cref="MaxMessages"/> were read), merges them as go and
    /// js do (later singular fields win, lists are concatenated) and checks the result.
    /// </summary>
    /// <exception cref="IdentifyException">A message is too large or malformed, none arrived, or the key is not <paramref name="remotePeer"/>'s.</exception>
    public static async ValueTask<IdentifyInfo> ReadAsync(PipeReader reader, PeerId remotePeer, CancellationToken cancellationToken = default) =>
        ToInfo(await ReadMergedAsync(reader, remotePeer, cancellationToken).ConfigureAwait(false), remotePeer);

    /// <summary>
    /// Reads an identify push (<c>/ipfs/id/push/1.0.0</c>) and applies it to <paramref name="current"/>: the
    /// spec lets a push carry only the fields that changed (js-libp2p sends listenAddrs, protocols and
    /// signedPeerRecord, no public key), so every field the push lacks keeps its current value.
    /// </summary>
    /// <param name="reader">The push stream's input.</param>
    /// <param name="current">What we know of the peer: its last identify answer, or at least its Noise-authenticated key.</param>
    /// <param name="cancellationToken">Bounds the wait for the remote to finish.</param>
    /// <exception cref="IdentifyException">A message is too large or malformed, none arrived, or a key it carries is not the peer's.</exception>
    public static async ValueTask<IdentifyInfo> ReadPushAsync(PipeReader reader, IdentifyInfo current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        IdentifyMessage push = await ReadMergedAsync(reader, current.PeerId, cancellationToken).ConfigureAwait(false);
        if (!push.HasPublicKey)
        {
            push.PublicKey = ByteString.CopyFrom(current.PublicKey.ToProtobuf());
        }

        IdentifyInfo update = ToInfo(push, current.PeerId);
        return new IdentifyInfo
        {
            PublicKey = update.PublicKey,
            ProtocolVersion = push.HasProtocolVersion ? update.ProtocolVersion : current.ProtocolVersion,
            AgentVersion = push.HasAgentVersion ? update.AgentVersion : current.AgentVersion,
            // A repeated field cannot tell "absent" from "empty": an empty list leaves the old one.
            ListenAddresses = push.ListenAddrs.Count > 0 ? update.ListenAddresses : current.ListenAddresses,
            ObservedAddress = push.HasObservedAddr ? update.ObservedAddress : current.ObservedAddress,
            Protocols = push.Protocols.Count > 0 ? update.Protocols : current.Protocols,
            SignedPeerRecord = push.HasSignedPeerRecord ? update.SignedPeerRecord : current.SignedPeerRecord,
        };
    }

    private static async ValueTask<IdentifyMessage> ReadMergedAsync(PipeReader reader, PeerId remotePeer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var merged = new IdentifyMessage();
        int count = 0;
        while (count < MaxMessages)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (count < MaxMessages && TryReadMessage(ref buffer) is { } message)
                {
                    merged.MergeFrom(message);
                    count++;
                }
            }
            catch (IdentifyException)
            {
                reader.AdvanceTo(result.Buffer.Start);
                throw;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("identify: the read was canceled.");
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty && count < MaxMessages)
                {
                    throw new IdentifyException(
                        IdentifyFailure.EndOfStream,
                        $"identify: the stream from {remotePeer} ended inside a message ({buffer.Length} bytes of it received).");
                }

                break;
            }
        }

        if (count == 0)
        {
            throw new IdentifyException(IdentifyFailure.EndOfStream, $"identify: the stream from {remotePeer} ended without a message.");
        }

        return merged;
    }

    /// <summary>
    /// Parses one length-prefixed message from the start of <paramref name="buffer"/> and slices past it;
    /// null when more bytes are needed (never more than <see cref="MaxMessageSize"/> plus the prefix).
    /// </summary>
    /// <exception cref="IdentifyException">The prefix or the message can never be valid.</exception>
    internal static IdentifyMessage? TryReadMessage(ref ReadOnlySequence<byte> buffer) => LengthPrefixedFrame.TryReadProtobuf(
        ref buffer,
        MaxMessageSize,
        static body => IdentifyMessage.Parser.ParseFrom(body),
        "identify",
        "Identify",
        static (tooLarge, reason) => new IdentifyException(tooLarge ? IdentifyFailure.MessageTooLarge : IdentifyFailure.Malformed, reason));
}
