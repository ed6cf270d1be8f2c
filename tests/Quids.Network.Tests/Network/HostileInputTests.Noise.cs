using System.Security.Cryptography;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Security.Noise;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network;

public partial class HostileInputTests
{
    [Fact]
    public async Task A_noise_message_shorter_than_an_ephemeral_key_is_refused()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        await hostile.SelectNoiseAsync();

        await hostile.SendNoiseFrameAsync("hello"u8.ToArray());

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Noise handshake", "handshake message 1 is 5 bytes, shorter than the 32");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_garbage_third_noise_message_fails_to_decrypt()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        await hostile.SelectNoiseAsync();
        await hostile.SendNoiseFrameAsync(RandomNumberGenerator.GetBytes(32));
        await hostile.ReceiveNoiseFrameAsync();

        await hostile.SendNoiseFrameAsync(RandomNumberGenerator.GetBytes(200));

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Noise handshake", "static key in handshake message 3 failed to decrypt");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_payload_signing_another_static_key_is_refused_naming_the_signature_and_peer()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();

        await hostile.HandshakeAsync(identity, (payload, _) =>
        {
            payload.IdentitySig = ByteString.CopyFrom(identity.Sign(NoisePayloadCodec.GetSignedData(RandomNumberGenerator.GetBytes(32))));
            return payload;
        });

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("signature", identity.PeerId.ToString(), "invalid");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_payload_with_a_flipped_signature_byte_is_refused()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();

        await hostile.HandshakeAsync(identity, (payload, _) =>
        {
            byte[] signature = payload.IdentitySig.ToByteArray();
            signature[10] ^= 0x01;
            payload.IdentitySig = ByteString.CopyFrom(signature);
            return payload;
        });

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("signature", identity.PeerId.ToString(), "invalid");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_payload_with_a_malformed_identity_key_is_refused()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();

        await hostile.HandshakeAsync(identity, (payload, _) =>
        {
            payload.IdentityKey = ByteString.CopyFrom(0x08, 0x01, 0x12, 0x03, 0x01, 0x02, 0x03);
            return payload;
        });

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Noise handshake", "identity key is malformed");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_dial_with_the_wrong_peer_id_fails_with_both_ids_and_leaves_the_victim_unaffected()
    {
        await using var arena = await Arena.StartAsync();
        await using var dialer = await TestNode.StartAsync();
        using var someoneElse = IdentityKeyPair.Generate();
        var address = arena.Victim.Swarm.ListenAddresses[0].WithPeerId(someoneElse.PeerId);

        var e = await Assert.ThrowsAsync<ConnectionUpgradeException>(() => dialer.Swarm.DialAsync(address));

        var mismatch = Assert.IsType<PeerIdMismatchException>(e.InnerException);
        Assert.Equal(someoneElse.PeerId, mismatch.Expected);
        Assert.Equal(arena.Victim.PeerId, mismatch.Actual);
        await dialer.Logs.WaitForAsync(someoneElse.PeerId.ToString(), CloseDeadline);
        Assert.Contains(dialer.Logs.Lines, l => l.Contains(arena.Victim.PeerId.ToString(), StringComparison.Ordinal));
        await arena.AssertLoggedAsync("failed during the Noise handshake");
        Assert.Null(arena.Victim.Swarm.FindConnection(dialer.PeerId));
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task Plaintext_garbage_instead_of_muxer_negotiation_is_refused()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAsync(identity);

        await hostile.SendAsync("\u0005hello garbage"u8.ToArray());

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("muxer negotiation", "WrongHeader");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_forged_transport_frame_after_the_handshake_fails_to_decrypt()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAsync(identity);

        await hostile.SendRawAsync([0x00, 0x40, .. RandomNumberGenerator.GetBytes(0x40)]);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("transport frame 1", "failed to decrypt");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_forged_transport_frame_on_an_established_connection_closes_it_with_a_warning()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);
        await arena.Victim.WaitForConnectionAsync(identity.PeerId, CloseDeadline);

        await hostile.SendRawAsync([0x00, 0x40, .. RandomNumberGenerator.GetBytes(0x40)]);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Warning 1006", identity.PeerId.ToString(), "failed to decrypt");
        await arena.AssertHealthyAsync();
    }
}
