using System.Buffers;
using Quids.Network.Security.Noise;

namespace Quids.Network.Tests.Security.Noise;

public sealed class NoiseEngineTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    [Fact]
    public void Cipher_state_without_a_key_passes_bytes_through()
    {
        using var cipher = new NoiseCipherState();
        byte[] output = new byte[3];
        Assert.Equal(3, cipher.EncryptWithAd(default, [1, 2, 3], output));
        Assert.Equal([1, 2, 3], output);
    }

    [Fact]
    public void Cipher_state_uses_4_zero_bytes_then_the_little_endian_counter_as_nonce()
    {
        using var cipher = new NoiseCipherState();
        cipher.InitializeKey(Key);
        cipher.SetNonce(0x0102030405060708);
        byte[] ours = new byte[5 + 16];
        cipher.EncryptWithAd("ad"u8, "hello"u8, ours);

        using var reference = new System.Security.Cryptography.ChaCha20Poly1305(Key);
        byte[] nonce = [0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1];
        byte[] expected = new byte[5 + 16];
        reference.Encrypt(nonce, "hello"u8, expected.AsSpan(0, 5), expected.AsSpan(5), "ad"u8);
        Assert.Equal(expected, ours);
        Assert.Equal(0x0102030405060709UL, cipher.Nonce);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(65519)]
    public void Short_and_long_messages_match_the_reference_aead_and_detect_tampering_in_place(int length)
    {
        // Short messages use libsodium, long ones the runtime's cipher: both must be the same ChaChaPoly.
        using var sender = new NoiseCipherState();
        using var receiver = new NoiseCipherState();
        sender.InitializeKey(Key);
        receiver.InitializeKey(Key);
        byte[] message = [.. Enumerable.Range(0, length).Select(i => (byte)i)];
        byte[] frame = new byte[length + 16];
        message.CopyTo(frame, 0);
        sender.EncryptWithAd("ad"u8, frame.AsSpan(0, length), frame);

        using var reference = new System.Security.Cryptography.ChaCha20Poly1305(Key);
        byte[] expected = new byte[length + 16];
        reference.Encrypt(new byte[12], message, expected.AsSpan(0, length), expected.AsSpan(length), "ad"u8);
        Assert.Equal(expected, frame);

        byte[] tampered = (byte[])frame.Clone();
        tampered[^1] ^= 1;
        Assert.False(receiver.TryDecryptWithAd("ad"u8, tampered, tampered, out _));
        Assert.True(receiver.TryDecryptWithAd("ad"u8, frame, frame, out int written));
        Assert.Equal(message, frame.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Cipher_state_refuses_the_reserved_maximum_nonce()
    {
        using var cipher = new NoiseCipherState();
        cipher.InitializeKey(Key);
        cipher.SetNonce(NoiseCipherState.MaxNonce - 1);
        byte[] output = new byte[16];
        cipher.EncryptWithAd(default, default, output);
        var error = Assert.Throws<NoiseException>(() => cipher.EncryptWithAd(default, default, output));
        Assert.Contains("nonce", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_decryption_leaves_the_nonce_unchanged()
    {
        using var sender = new NoiseCipherState();
        using var receiver = new NoiseCipherState();
        sender.InitializeKey(Key);
        receiver.InitializeKey(Key);
        byte[] frame = new byte[4 + 16];
        sender.EncryptWithAd(default, [9, 9, 9, 9], frame);
        byte[] tampered = (byte[])frame.Clone();
        tampered[0] ^= 1;
        byte[] plaintext = new byte[4];

        Assert.False(receiver.TryDecryptWithAd(default, tampered, plaintext, out _));
        Assert.Equal(0UL, receiver.Nonce);
        Assert.True(receiver.TryDecryptWithAd(default, frame, plaintext, out int written));
        Assert.Equal([9, 9, 9, 9], plaintext.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Rekeyed_cipher_states_still_agree()
    {
        using var sender = new NoiseCipherState();
        using var receiver = new NoiseCipherState();
        sender.InitializeKey(Key);
        receiver.InitializeKey(Key);
        sender.Rekey();
        receiver.Rekey();
        byte[] frame = new byte[1 + 16];
        sender.EncryptWithAd(default, [42], frame);
        Assert.True(receiver.TryDecryptWithAd(default, frame, frame, out _));
        Assert.Equal(42, frame[0]);
    }

    [Fact]
    public void Hkdf_matches_rfc_5869_with_the_chaining_key_as_salt()
    {
        // Noise's HKDF with two outputs is RFC 5869 HKDF-SHA256(salt: ck, ikm, info: empty, 64 bytes).
        byte[] ck = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        byte[] ikm = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
        byte[] out1 = new byte[32];
        byte[] out2 = new byte[32];
        NoiseSymmetricState.Hkdf(ck, ikm, out1, out2);
        byte[] expected = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, ikm, 64, ck, []);
        Assert.Equal(expected, out1.Concat(out2).ToArray());
    }

    [Fact]
    public void Random_parties_complete_XX_and_agree_on_keys_and_hash()
    {
        using var initiator = new NoiseHandshakeState(isInitiator: true);
        using var responder = new NoiseHandshakeState(isInitiator: false);
        Exchange(initiator, responder, "one"u8);
        Exchange(responder, initiator, "two"u8);
        Exchange(initiator, responder, "three"u8);

        Assert.Equal(initiator.HandshakeHash.ToArray(), responder.HandshakeHash.ToArray());
        Assert.Equal(initiator.LocalStaticPublicKey.ToArray(), responder.RemoteStaticPublicKey.ToArray());
        Assert.Equal(responder.LocalStaticPublicKey.ToArray(), initiator.RemoteStaticPublicKey.ToArray());
        NoiseTransportCiphers a = initiator.Split();
        NoiseTransportCiphers b = responder.Split();
        byte[] frame = new byte[2 + 16];
        a.Send.EncryptWithAd(default, [1, 2], frame);
        Assert.True(b.Receive.TryDecryptWithAd(default, frame, frame, out _));
        b.Send.EncryptWithAd(default, [3, 4], frame);
        Assert.True(a.Receive.TryDecryptWithAd(default, frame, frame, out _));
        Assert.Equal([3, 4], frame.AsSpan(0, 2).ToArray());
    }

    [Fact]
    public void Rejects_a_handshake_message_over_65535_bytes()
    {
        using var responder = new NoiseHandshakeState(isInitiator: false);
        var error = Assert.Throws<NoiseHandshakeException>(() => responder.ReadMessage(new byte[65536], new ArrayBufferWriter<byte>()));
        Assert.Contains("65536 bytes, over the 65535-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_second_message_too_short_for_its_tokens()
    {
        using var initiator = new NoiseHandshakeState(isInitiator: true);
        initiator.WriteMessage(default, new ArrayBufferWriter<byte>());
        var error = Assert.Throws<NoiseHandshakeException>(() => initiator.ReadMessage(new byte[95], new ArrayBufferWriter<byte>()));
        Assert.Contains("handshake message 2 is 95 bytes, shorter than the 96", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_payload_that_would_make_the_message_exceed_the_limit()
    {
        using var initiator = new NoiseHandshakeState(isInitiator: true);
        var error = Assert.Throws<NoiseHandshakeException>(() => initiator.WriteMessage(new byte[65535 - 31], new ArrayBufferWriter<byte>()));
        Assert.Contains("65536 bytes, over the 65535-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_to_write_out_of_turn_or_split_early()
    {
        using var responder = new NoiseHandshakeState(isInitiator: false);
        Assert.Throws<InvalidOperationException>(() => responder.WriteMessage(default, new ArrayBufferWriter<byte>()));
        Assert.Throws<InvalidOperationException>(() => responder.Split());
    }

    private static void Exchange(NoiseHandshakeState sender, NoiseHandshakeState receiver, ReadOnlySpan<byte> payload)
    {
        var wire = new ArrayBufferWriter<byte>();
        sender.WriteMessage(payload, wire);
        var received = new ArrayBufferWriter<byte>();
        receiver.ReadMessage(wire.WrittenSpan, received);
        Assert.Equal(payload.ToArray(), received.WrittenSpan.ToArray());
    }
}
