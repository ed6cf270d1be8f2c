using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Security.Noise;
using Quids.Network.Security.Noise.Wire;

namespace Quids.Network.Tests.Security.Noise;

public sealed class NoiseHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_parties_authenticate_each_other_and_exchange_their_muxer_lists()
    {
        using var alice = IdentityKeyPair.Generate();
        using var bob = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();

        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, isInitiator: true, bob.PeerId, ["/yamux/1.0.0"], cts.Token);
        Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, isInitiator: false, streamMuxers: ["/mplex/6.7.0", "/yamux/1.0.0"], cancellationToken: cts.Token);
        await using NoiseSecureChannel aliceChannel = await dial;
        await using NoiseSecureChannel bobChannel = await accept;

        Assert.Equal(bob.PeerId, aliceChannel.RemotePeerId);
        Assert.Equal(alice.PeerId, bobChannel.RemotePeerId);
        Assert.Equal(bob.PublicKey, aliceChannel.RemotePublicKey);
        Assert.Equal(alice.PublicKey, bobChannel.RemotePublicKey);
        Assert.Equal(["/mplex/6.7.0", "/yamux/1.0.0"], aliceChannel.RemoteStreamMuxers);
        Assert.Equal(["/yamux/1.0.0"], bobChannel.RemoteStreamMuxers);
        Assert.Equal(aliceChannel.HandshakeHash.ToArray(), bobChannel.HandshakeHash.ToArray());
    }

    [Fact]
    public async Task Handshakes_that_reuse_the_nodes_static_keys_still_get_fresh_sessions_from_their_ephemeral_keys()
    {
        using var alice = IdentityKeyPair.Generate();
        using var bob = IdentityKeyPair.Generate();
        using var aliceKey = new NoiseStaticKey(alice, ["/yamux/1.0.0"]);
        using var bobKey = new NoiseStaticKey(bob, ["/yamux/1.0.0"]);
        using var cts = new CancellationTokenSource(Timeout);
        var hashes = new List<byte[]>();

        for (int i = 0; i < 2; i++)
        {
            var link = new NoiseTestLink();
            Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, aliceKey, isInitiator: true, bob.PeerId, cancellationToken: cts.Token);
            Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bobKey, isInitiator: false, cancellationToken: cts.Token);
            await using NoiseSecureChannel aliceChannel = await dial;
            await using NoiseSecureChannel bobChannel = await accept;

            Assert.Equal(bob.PeerId, aliceChannel.RemotePeerId);
            Assert.Equal(alice.PeerId, bobChannel.RemotePeerId);
            Assert.Equal(aliceChannel.HandshakeHash.ToArray(), bobChannel.HandshakeHash.ToArray());
            hashes.Add(aliceChannel.HandshakeHash.ToArray());
        }

        Assert.NotEqual(hashes[0], hashes[1]);
    }

    [Fact]
    public async Task A_wiped_static_key_starts_no_handshake()
    {
        using var alice = IdentityKeyPair.Generate();
        var key = new NoiseStaticKey(alice, null);
        key.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => NoiseHandshake.RunAsync(new NoiseTestLink().Initiator, key, isInitiator: true));
    }

    [Fact]
    public async Task A_payload_without_extensions_reports_no_remote_muxers()
    {
        using var alice = IdentityKeyPair.Generate();
        using var bob = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();

        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, cancellationToken: cts.Token);
        Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, false, cancellationToken: cts.Token);
        await using NoiseSecureChannel aliceChannel = await dial;
        await using NoiseSecureChannel bobChannel = await accept;

        Assert.Empty(aliceChannel.RemoteStreamMuxers);
        Assert.Empty(bobChannel.RemoteStreamMuxers);
    }

    [Fact]
    public async Task Dialing_an_expected_peer_that_turns_out_to_be_someone_else_fails_naming_both_ids()
    {
        using var alice = IdentityKeyPair.Generate();
        using var bob = IdentityKeyPair.Generate();
        using var carol = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();

        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, expectedRemotePeerId: carol.PeerId, cancellationToken: cts.Token);
        Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, false, cancellationToken: cts.Token);

        var error = await Assert.ThrowsAsync<PeerIdMismatchException>(() => dial);
        Assert.Equal(carol.PeerId, error.Expected);
        Assert.Equal(bob.PeerId, error.Actual);
        Assert.Contains(carol.PeerId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(bob.PeerId.ToString(), error.Message, StringComparison.Ordinal);

        // The initiator never sent message 3 (its identity stays hidden from the wrong peer); the caller closes.
        await link.Initiator.Output.CompleteAsync();
        var responderError = await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept);
        Assert.Contains("handshake message 3", responderError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_responder_whose_signature_was_tampered_with()
    {
        using var bob = IdentityKeyPair.Generate();
        var error = await DialHostileResponderAsync(staticKey =>
        {
            NoiseHandshakePayload payload = NoiseHandshakePayload.Parser.ParseFrom(NoisePayloadCodec.Create(bob, staticKey, null));
            byte[] sig = payload.IdentitySig.ToByteArray();
            sig[0] ^= 0x80;
            payload.IdentitySig = ByteString.CopyFrom(sig);
            return payload.ToByteArray();
        });

        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
        Assert.Contains(bob.PeerId.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_responder_that_swapped_in_another_identity_key()
    {
        using var bob = IdentityKeyPair.Generate();
        using var mallory = IdentityKeyPair.Generate();
        var error = await DialHostileResponderAsync(staticKey =>
        {
            NoiseHandshakePayload payload = NoiseHandshakePayload.Parser.ParseFrom(NoisePayloadCodec.Create(bob, staticKey, null));
            payload.IdentityKey = ByteString.CopyFrom(mallory.PublicKey.ToProtobuf());
            return payload.ToByteArray();
        });

        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
        Assert.Contains(mallory.PeerId.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_signature_over_a_different_static_key()
    {
        using var bob = IdentityKeyPair.Generate();
        var error = await DialHostileResponderAsync(_ => NoisePayloadCodec.Create(bob, new byte[32], null));
        Assert.Contains("signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_an_identity_key_of_an_unknown_type()
    {
        using var bob = IdentityKeyPair.Generate();
        var error = await DialHostileResponderAsync(staticKey =>
        {
            NoiseHandshakePayload payload = NoiseHandshakePayload.Parser.ParseFrom(NoisePayloadCodec.Create(bob, staticKey, null));
            // PublicKey { Type = 9, Data = 32 bytes }: no such key type in the peer-ids spec.
            byte[] key = [0x08, 0x09, 0x12, 0x20, .. new byte[32]];
            payload.IdentityKey = ByteString.CopyFrom(key);
            return payload.ToByteArray();
        });

        Assert.Contains("identity key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_an_identity_key_type_this_library_cannot_verify()
    {
        using var bob = IdentityKeyPair.Generate();
        var error = await DialHostileResponderAsync(staticKey =>
        {
            NoiseHandshakePayload payload = NoiseHandshakePayload.Parser.ParseFrom(NoisePayloadCodec.Create(bob, staticKey, null));
            // PublicKey { Type = Secp256k1, Data = 33-byte compressed point }.
            byte[] key = [0x08, 0x02, 0x12, 0x21, 0x02, .. new byte[32]];
            payload.IdentityKey = ByteString.CopyFrom(key);
            return payload.ToByteArray();
        });

        Assert.Contains("Secp256k1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_payload_that_is_not_a_protobuf()
    {
        var error = await DialHostileResponderAsync(_ => [0xff, 0xff, 0xff, 0xff, 0xff]);
        Assert.Contains("not a valid NoiseHandshakePayload", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_payload_without_an_identity_key()
    {
        var error = await DialHostileResponderAsync(_ => []);
        Assert.Contains("no identity key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_garbage_in_place_of_handshake_message_2()
    {
        using var alice = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();
        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, cancellationToken: cts.Token);

        await ReadFrameAsync(link.Responder.Input);
        byte[] garbage = new byte[200];
        new Random(7).NextBytes(garbage);
        await WriteFrameAsync(link.Responder.Output, garbage);

        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => dial);
        Assert.Contains("static key in handshake message 2 failed to decrypt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_first_message_shorter_than_an_ephemeral_key()
    {
        using var bob = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();
        Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, false, cancellationToken: cts.Token);

        // Length 3, then "abc": "GET" would look much the same.
        await link.Initiator.Output.WriteAsync(new byte[] { 0x00, 0x03, 0x61, 0x62, 0x63 });

        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept);
        Assert.Contains("handshake message 1 is 3 bytes, shorter than the 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_a_connection_that_closes_inside_a_handshake_message()
    {
        using var bob = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();
        Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, false, cancellationToken: cts.Token);

        // The prefix promises 32 bytes; 10 arrive, then the connection closes.
        await link.Initiator.Output.WriteAsync(new byte[] { 0x00, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
        await link.Initiator.Output.CompleteAsync();

        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept);
        Assert.Contains("closed during handshake message 1: 12 bytes received, 34 bytes expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_to_send_a_payload_that_would_exceed_the_message_limit()
    {
        using var alice = IdentityKeyPair.Generate();
        using var bob = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();
        string[] muxers = [.. Enumerable.Range(0, 1500).Select(i => $"/a-very-long-muxer-name-used-to-blow-the-limit/{i:D5}/1.0.0")];

        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, cancellationToken: cts.Token);
        Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, false, streamMuxers: muxers, cancellationToken: cts.Token);

        var error = await Assert.ThrowsAsync<NoiseHandshakeException>(() => accept);
        Assert.Contains("over the 65535-byte limit", error.Message, StringComparison.Ordinal);
        await link.Responder.Output.CompleteAsync();
        await Assert.ThrowsAsync<NoiseHandshakeException>(() => dial);
    }

    [Fact]
    public async Task Honours_cancellation_while_waiting_for_the_remote()
    {
        using var alice = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource();
        var link = new NoiseTestLink();
        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dial);
    }

    private static async Task<NoiseHandshakeException> DialHostileResponderAsync(Func<byte[], byte[]> payloadForStaticKey)
    {
        using var alice = IdentityKeyPair.Generate();
        using var cts = new CancellationTokenSource(Timeout);
        var link = new NoiseTestLink();
        Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, cancellationToken: cts.Token);

        using var responder = new NoiseHandshakeState(isInitiator: false);
        responder.ReadMessage(await ReadFrameAsync(link.Responder.Input), new ArrayBufferWriter<byte>());
        var message = new ArrayBufferWriter<byte>();
        responder.WriteMessage(payloadForStaticKey(responder.LocalStaticPublicKey.ToArray()), message);
        await WriteFrameAsync(link.Responder.Output, message.WrittenSpan.ToArray());

        return await Assert.ThrowsAsync<NoiseHandshakeException>(() => dial);
    }

    internal static async Task<byte[]> ReadFrameAsync(PipeReader input)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= 2)
            {
                int length = NoiseHandshake.ReadLength(buffer);
                if (buffer.Length >= 2 + length)
                {
                    byte[] frame = buffer.Slice(2, length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(2 + length));
                    return frame;
                }
            }

            Assert.False(result.IsCompleted, "the connection closed before a whole frame arrived");
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    internal static async Task WriteFrameAsync(PipeWriter output, byte[] frame)
    {
        byte[] prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)frame.Length);
        output.Write(prefix);
        await output.WriteAsync(frame);
    }
}
