using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad.Wire;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// Kademlia DHT (libp2p/specs kad-dht/README.md). Each message is an unsigned-varint length prefix and a
/// <see cref="KadMessage"/>; a requester may send several requests on one stream, each answered in order,
/// and the responder reads until the requester closes its side.
/// </summary>
internal static class KadProtocol
{
    /// <summary>The protocol id of the public (Amino) DHT and of every libp2p kad-dht by default.</summary>
    public const string Id = "/ipfs/kad/1.0.0";

    /// <summary>
    /// Largest message in bytes, length prefix excluded: 4 MiB, go-libp2p's network.MessageSizeMax used by
    /// go-libp2p-kad-dht's reader and js-libp2p's length-prefixed default, so that no message one of them
    /// sends is refused here. Memory stays bounded by the per-peer stream limit of <see cref="KadOptions"/>.
    /// </summary>
    public const int MaxMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// Peers decoded from one message's closerPeers or providerPeers before the rest is ignored: 100, five
    /// times k. A well-behaved server returns k (20); more only lets a peer flood our candidate set.
    /// </summary>
    public const int MaxPeersPerMessage = 100;

    /// <summary>Addresses kept per peer entry: 32, more than any node listens on; the rest are ignored.</summary>
    public const int MaxAddressesPerPeer = 32;

    /// <summary>True when identify says the peer serves the DHT (the spec's client/server mode rule).</summary>
    public static bool IsServer(IEnumerable<string> protocols) => protocols.Contains(Id, StringComparer.Ordinal);

    /// <summary>Appends <paramref name="message"/> with its length prefix, without flushing.</summary>
    /// <exception cref="KadException">The message exceeds <see cref="MaxMessageSize"/>.</exception>
    public static void WriteMessage(IBufferWriter<byte> writer, KadMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        int size = message.CalculateSize();
        if (size > MaxMessageSize)
        {
            throw new KadException(KadFailure.MessageTooLarge, $"kad: our own {message.Type} message is {size} bytes; peers accept at most {MaxMessageSize}.");
        }

        Varint.Write(writer, (ulong)size);
        message.WriteTo(writer);
    }

    /// <summary>Writes one message and flushes.</summary>
    public static async ValueTask SendAsync(PipeWriter writer, KadMessage message, CancellationToken cancellationToken = default)
    {
        WriteMessage(writer, message);
        FlushResult result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            throw new KadException(KadFailure.EndOfStream, "kad: the remote stopped reading before our message was sent.");
        }
    }

    /// <summary>
    /// Reads the next message; null when the stream ended cleanly between messages (the requester is done).
    /// </summary>
    /// <exception cref="KadException">The message is too large or malformed, or the stream ended inside it.</exception>
    public static async ValueTask<KadMessage?> ReadMessageAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        var (message, unfinished) = await PipeMessageReader.ReadAsync<KadMessage>(reader, TryReadMessage, "kad", cancellationToken).ConfigureAwait(false);
        return message is not null || unfinished == 0
            ? message
            : throw new KadException(KadFailure.EndOfStream, $"kad: the stream ended inside a message ({unfinished} bytes of it received).");
    }

    /// <summary>
    /// Parses one length-prefixed message from the start of <paramref name="buffer"/> and slices past it;
    /// null when more bytes are needed (never more than <see cref="MaxMessageSize"/> plus the prefix).
    /// </summary>
    /// <exception cref="KadException">The prefix or the message can never be valid.</exception>
    public static KadMessage? TryReadMessage(ref ReadOnlySequence<byte> buffer) => LengthPrefixedFrame.TryReadProtobuf(
        ref buffer,
        MaxMessageSize,
        static body => KadMessage.Parser.ParseFrom(body),
        "kad",
        "DHT",
        static (tooLarge, reason) => new KadException(tooLarge ? KadFailure.MessageTooLarge : KadFailure.Malformed, reason));

    /// <summary>The wire entry for <paramref name="peer"/>.</summary>
    public static KadMessage.Types.Peer ToWire(KadPeerInfo peer, bool connected)
    {
        var wire = new KadMessage.Types.Peer
        {
            Id = ByteString.CopyFrom(peer.PeerId.Bytes.Span),
            Connection = connected ? KadMessage.Types.ConnectionType.Connected : KadMessage.Types.ConnectionType.NotConnected,
        };
        foreach (Multiaddress address in peer.Addresses)
        {
            wire.Addrs.Add(ByteString.CopyFrom(address.ToBytes()));
        }

        return wire;
    }

    /// <summary>
    /// Decodes received peer entries, at most <see cref="MaxPeersPerMessage"/>; entries with an invalid id are
    /// skipped, as are addresses we cannot decode (unknown transports), as go and js do.
    /// </summary>
    public static List<KadPeerInfo> FromWire(IEnumerable<KadMessage.Types.Peer> peers)
    {
        var result = new List<KadPeerInfo>();
        foreach (KadMessage.Types.Peer wire in peers.Take(MaxPeersPerMessage))
        {
            PeerId id;
            try
            {
                id = PeerId.FromBytes(wire.Id.Span);
            }
            catch (FormatException)
            {
                continue;
            }

            var addresses = new List<Multiaddress>();
            foreach (ByteString bytes in wire.Addrs.Take(MaxAddressesPerPeer))
            {
                try
                {
                    addresses.Add(Multiaddress.FromBytes(bytes.Span));
                }
                catch (FormatException)
                {
                    // An address of a transport we do not know: useless to us, harmless to skip.
                }
            }

            result.Add(new KadPeerInfo(id, addresses));
        }

        return result;
    }
}
