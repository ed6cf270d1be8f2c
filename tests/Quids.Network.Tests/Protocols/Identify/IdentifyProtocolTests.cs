using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Protocols.Identify;
using Quids.Network.Protocols.Identify.Wire;
using static Quids.Network.Tests.Multistream.TestPipes;

namespace Quids.Network.Tests.Protocols.Identify;

public class IdentifyProtocolTests
{
    // RFC 8032 test 1 public key, as the peer-ids spec encodes it (type Ed25519 = 1).
    private const string PublicKeyHex = "08 01 12 20 d7 5a 98 01 82 b1 0a b7 d5 4b fe d3 c9 64 07 3a 0e e1 72 f3 da a6 23 25 af 02 1a 68 f7 07 51 1a";

    // An identify message laid out the way js-libp2p's protons encoder writes it: fields in .proto order
    // (5, 6, 1, 2, 4, 3, 3), each as tag, length, bytes; the whole message varint-length-prefixed (0x79 = 121).
    private const string JsMessageHex =
        "79 2a 0a 69 70 66 73 2f 30 2e 31 2e 30 32 0f 6a 73 2d 6c 69 62 70 32 70 " +
        "2f 33 2e 30 2e 30 0a 24 08 01 12 20 d7 5a 98 01 82 b1 0a b7 d5 4b fe d3 " +
        "c9 64 07 3a 0e e1 72 f3 da a6 23 25 af 02 1a 68 f7 07 51 1a 12 08 04 7f " +
        "00 00 01 06 0f a1 22 08 04 0a 00 00 02 06 d9 03 1a 0e 2f 69 70 66 73 2f " +
        "69 64 2f 31 2e 30 2e 30 1a 10 2f 69 70 66 73 2f 70 69 6e 67 2f 31 2e 30 " +
        "2e 30";

    private static readonly PublicKey JsKey = PublicKey.FromProtobuf(Hex(PublicKeyHex));

    [Fact]
    public async Task Decodes_a_message_as_js_libp2p_writes_it()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex(JsMessageHex));
        await pipe.Writer.CompleteAsync();

        IdentifyInfo info = await IdentifyProtocol.ReadAsync(pipe.Reader, JsKey.ToPeerId());

        Assert.Equal("ipfs/0.1.0", info.ProtocolVersion);
        Assert.Equal("js-libp2p/3.0.0", info.AgentVersion);
        Assert.Equal(JsKey, info.PublicKey);
        Assert.Equal([Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")], info.ListenAddresses);
        Assert.Equal(Multiaddress.Parse("/ip4/10.0.0.2/tcp/55555"), info.ObservedAddress);
        Assert.Equal(["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"], info.Protocols);
        Assert.True(info.SignedPeerRecord.IsEmpty);
    }

    [Fact]
    public async Task Encodes_the_same_bytes_as_js_libp2p_for_the_same_info()
    {
        var pipe = new Pipe();
        IdentifyProtocol.WriteMessage(pipe.Writer, new IdentifyInfo
        {
            PublicKey = JsKey,
            ProtocolVersion = "ipfs/0.1.0",
            AgentVersion = "js-libp2p/3.0.0",
            ListenAddresses = [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")],
            ObservedAddress = Multiaddress.Parse("/ip4/10.0.0.2/tcp/55555"),
            Protocols = ["/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"],
        });
        await pipe.Writer.CompleteAsync();

        var bytes = await ReadAllAsync(pipe.Reader);

        // Google.Protobuf writes fields by number, protons in .proto order: compare as messages, and the lengths.
        Assert.Equal(Hex(JsMessageHex).Length, bytes.Length);
        Assert.Equal(IdentifyMessage.Parser.ParseFrom(Hex(JsMessageHex)[1..]), IdentifyMessage.Parser.ParseFrom(bytes[1..]));
    }

    [Fact]
    public async Task Round_trips_between_responder_and_requester()
    {
        using var responderKey = IdentityKeyPair.Generate();
        var (requester, responder) = CreatePair();
        var sent = new IdentifyInfo
        {
            PublicKey = responderKey.PublicKey,
            ProtocolVersion = IdentifyProtocol.DefaultProtocolVersion,
            AgentVersion = "quids/0.1.0",
            ListenAddresses = [Multiaddress.Parse("/ip4/192.168.1.5/tcp/8080"), Multiaddress.Parse("/ip6/::1/tcp/8080")],
            ObservedAddress = Multiaddress.Parse("/ip4/203.0.113.7/tcp/40000"),
            Protocols = ["/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0"],
            SignedPeerRecord = new byte[] { 1, 2, 3 },
        };

        var respond = IdentifyProtocol.RespondAsync(responder, sent).AsTask();
        IdentifyInfo received = await IdentifyProtocol.RequestAsync(requester, responderKey.PeerId);
        await respond;

        Assert.Equal(responderKey.PeerId, received.PeerId);
        Assert.Equal(sent.AgentVersion, received.AgentVersion);
        Assert.Equal(sent.ProtocolVersion, received.ProtocolVersion);
        Assert.Equal(sent.ListenAddresses, received.ListenAddresses);
        Assert.Equal(sent.ObservedAddress, received.ObservedAddress);
        Assert.Equal(sent.Protocols, received.Protocols);
        Assert.Equal(sent.SignedPeerRecord.ToArray(), received.SignedPeerRecord.ToArray());
        Assert.True((await responder.Input.ReadAsync()).IsCompleted, "The requester closes its side after reading.");
    }

    [Fact]
    public async Task Keeps_absent_fields_absent()
    {
        using var key = IdentityKeyPair.Generate();
        var (requester, responder) = CreatePair();

        await IdentifyProtocol.RespondAsync(responder, new IdentifyInfo { PublicKey = key.PublicKey });
        IdentifyInfo received = await IdentifyProtocol.RequestAsync(requester, key.PeerId);

        Assert.Null(received.AgentVersion);
        Assert.Null(received.ProtocolVersion);
        Assert.Null(received.ObservedAddress);
        Assert.Empty(received.ListenAddresses);
    }

    [Fact]
    public async Task Rejects_a_key_that_is_not_the_connection_peer()
    {
        using var impostor = IdentityKeyPair.Generate();
        using var expected = IdentityKeyPair.Generate();
        var (requester, responder) = CreatePair();

        await IdentifyProtocol.RespondAsync(responder, new IdentifyInfo { PublicKey = impostor.PublicKey });
        var error = await Assert.ThrowsAsync<IdentifyException>(() => IdentifyProtocol.RequestAsync(requester, expected.PeerId).AsTask());

        Assert.Equal(IdentifyFailure.PeerIdMismatch, error.Reason);
        Assert.Contains(impostor.PeerId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(expected.PeerId.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_message_without_a_public_key()
    {
        var error = await ReadFailureAsync(Hex("0c 32 0a 6a 73 2d 6c 69 62 70 32 70 2f"));
        Assert.Equal(IdentifyFailure.MissingPublicKey, error.Reason);
    }

    [Fact]
    public async Task Rejects_a_length_prefix_above_the_limit_without_waiting_for_the_body()
    {
        // 0x81 0x40 = 8193 bytes announced; the writer stays open.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex("81 40"));

        var error = await Assert.ThrowsAsync<IdentifyException>(() => IdentifyProtocol.ReadAsync(pipe.Reader, JsKey.ToPeerId()).AsTask());

        Assert.Equal(IdentifyFailure.MessageTooLarge, error.Reason);
    }

    [Fact]
    public void Refuses_to_send_a_message_above_the_limit()
    {
        using var key = IdentityKeyPair.Generate();
        var info = new IdentifyInfo
        {
            PublicKey = key.PublicKey,
            Protocols = Enumerable.Range(0, 400).Select(i => $"/quids/protocol-number/{i}/1.0.0").ToArray(),
        };

        var error = Assert.Throws<IdentifyException>(() => IdentifyProtocol.WriteMessage(new Pipe().Writer, info));

        Assert.Equal(IdentifyFailure.MessageTooLarge, error.Reason);
    }

    [Theory]
    [InlineData("05 ff ff ff ff ff")] // field 31, wire type 7: not protobuf
    [InlineData("03 0a 05 01")] // publicKey claims 5 bytes, 1 follows
    public async Task Rejects_garbage(string hex)
    {
        var error = await ReadFailureAsync(Hex(hex));
        Assert.Equal(IdentifyFailure.Malformed, error.Reason);
    }

    [Fact]
    public async Task Rejects_a_stream_that_ends_inside_a_message()
    {
        var error = await ReadFailureAsync(Hex(JsMessageHex)[..50]);
        Assert.Equal(IdentifyFailure.EndOfStream, error.Reason);
    }

    [Fact]
    public async Task Rejects_a_stream_that_ends_without_a_message()
    {
        var error = await ReadFailureAsync([]);
        Assert.Equal(IdentifyFailure.EndOfStream, error.Reason);
    }

    [Fact]
    public async Task Merges_a_message_split_in_two_as_go_and_js_do()
    {
        var first = new IdentifyMessage { PublicKey = ByteString.CopyFrom(Hex(PublicKeyHex)), AgentVersion = "old" };
        first.Protocols.Add("/a");
        var second = new IdentifyMessage { AgentVersion = "new" };
        second.Protocols.Add(["/a", "/b"]);
        second.ListenAddrs.Add(ByteString.CopyFrom(Multiaddress.Parse("/ip4/1.2.3.4/tcp/1").ToBytes()));

        var pipe = new Pipe();
        foreach (var message in new[] { first, second })
        {
            Varint.Write(pipe.Writer, (ulong)message.CalculateSize());
            message.WriteTo(pipe.Writer);
        }

        await pipe.Writer.CompleteAsync();
        IdentifyInfo info = await IdentifyProtocol.ReadAsync(pipe.Reader, JsKey.ToPeerId());

        Assert.Equal("new", info.AgentVersion);
        Assert.Equal(["/a", "/b"], info.Protocols);
        Assert.Single(info.ListenAddresses);
    }

    [Fact]
    public async Task Skips_addresses_it_cannot_decode_and_keeps_the_rest()
    {
        var message = new IdentifyMessage { PublicKey = ByteString.CopyFrom(Hex(PublicKeyHex)) };
        message.ListenAddrs.Add(ByteString.CopyFrom(Hex("ff ff 03 00")));
        message.ListenAddrs.Add(ByteString.CopyFrom(Multiaddress.Parse("/ip4/1.2.3.4/tcp/1").ToBytes()));
        var bytes = new ArrayBufferWriter<byte>();
        Varint.Write(bytes, (ulong)message.CalculateSize());
        message.WriteTo(bytes);

        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(bytes.WrittenMemory);
        await pipe.Writer.CompleteAsync();
        IdentifyInfo info = await IdentifyProtocol.ReadAsync(pipe.Reader, JsKey.ToPeerId());

        Assert.Equal([Multiaddress.Parse("/ip4/1.2.3.4/tcp/1")], info.ListenAddresses);
    }

    [Fact]
    public async Task Drops_the_trailing_p2p_that_js_libp2p_appends_to_the_observed_address()
    {
        // js-libp2p writes observedAddr = connection.remoteAddr, which keeps the /p2p/<id> it dialed us by:
        // field 1 (publicKey), then field 4 (observedAddr) = /ip4/127.0.0.1/tcp/4001 (04 7f000001 06 0fa1)
        // followed by /p2p (a5 03) and a 38-byte identity multihash (26, 00 24, key). The id here is the
        // sender's own, as only the layout matters to the reader.
        const string message =
            "59 0a 24 " + PublicKeyHex + " 22 31 04 7f 00 00 01 06 0f a1 a5 03 26 00 24 " + PublicKeyHex;
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex(message));
        await pipe.Writer.CompleteAsync();

        IdentifyInfo info = await IdentifyProtocol.ReadAsync(pipe.Reader, JsKey.ToPeerId());

        Assert.Equal(Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001"), info.ObservedAddress);
    }

    [Fact]
    public async Task Applies_a_push_without_a_public_key_as_js_libp2p_sends_it_and_keeps_the_fields_it_lacks()
    {
        // js-libp2p's identify push: only listenAddrs (field 2) = /ip4/127.0.0.1/tcp/4001, protocols (3) =
        // /ipfs/ping/1.0.0 and signedPeerRecord (8) = 3 bytes here; no public key, agent or observed address.
        const string push =
            "21 12 08 04 7f 00 00 01 06 0f a1 1a 10 2f 69 70 66 73 2f 70 69 6e 67 2f 31 2e 30 2e 30 42 03 01 02 03";
        var current = new IdentifyInfo
        {
            PublicKey = JsKey,
            AgentVersion = "js-libp2p/3.0.0",
            ProtocolVersion = "ipfs/0.1.0",
            ObservedAddress = Multiaddress.Parse("/ip4/10.0.0.2/tcp/55555"),
            Protocols = ["/ipfs/id/1.0.0"],
        };
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex(push));
        await pipe.Writer.CompleteAsync();

        IdentifyInfo info = await IdentifyProtocol.ReadPushAsync(pipe.Reader, current);

        Assert.Equal(JsKey, info.PublicKey);
        Assert.Equal("js-libp2p/3.0.0", info.AgentVersion);
        Assert.Equal("ipfs/0.1.0", info.ProtocolVersion);
        Assert.Equal(Multiaddress.Parse("/ip4/10.0.0.2/tcp/55555"), info.ObservedAddress);
        Assert.Equal([Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")], info.ListenAddresses);
        Assert.Equal(["/ipfs/ping/1.0.0"], info.Protocols);
        Assert.Equal([1, 2, 3], info.SignedPeerRecord.ToArray());
    }

    [Fact]
    public async Task Rejects_a_push_whose_public_key_is_another_peers()
    {
        using var other = IdentityKeyPair.Generate();
        var message = new IdentifyMessage { PublicKey = ByteString.CopyFrom(other.PublicKey.ToProtobuf()) };
        message.Protocols.Add("/a");
        var bytes = new ArrayBufferWriter<byte>();
        Varint.Write(bytes, (ulong)message.CalculateSize());
        message.WriteTo(bytes);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(bytes.WrittenMemory);
        await pipe.Writer.CompleteAsync();

        var error = await Assert.ThrowsAsync<IdentifyException>(
            () => IdentifyProtocol.ReadPushAsync(pipe.Reader, new IdentifyInfo { PublicKey = JsKey }).AsTask());

        Assert.Equal(IdentifyFailure.PeerIdMismatch, error.Reason);
    }

    private static async Task<IdentifyException> ReadFailureAsync(byte[] bytes)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(bytes);
        await pipe.Writer.CompleteAsync();
        var error = await Assert.ThrowsAsync<IdentifyException>(() => IdentifyProtocol.ReadAsync(pipe.Reader, JsKey.ToPeerId()).AsTask());
        Assert.StartsWith("identify: ", error.Message, StringComparison.Ordinal);
        return error;
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                byte[] bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
