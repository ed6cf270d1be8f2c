using System.Buffers;
using System.Text.Json;
using Quids.Network.Security.Noise;

namespace Quids.Network.Tests.Security.Noise;

public sealed class NoiseVectorTests
{
    private const string VectorFile = "noise-xx-25519-chachapoly-sha256.json";

    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < LoadVectors().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void The_vector_file_holds_at_least_one_XX_vector()
    {
        Assert.NotEmpty(LoadVectors());
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Replays_every_message_handshake_hash_and_transport_message_of_the_vector(int index)
    {
        Vector v = LoadVectors()[index];
        Assert.Equal("Noise_XX_25519_ChaChaPoly_SHA256", v.ProtocolName);
        using var initiator = new NoiseHandshakeState(true, v.InitPrologue, v.InitStatic, v.InitEphemeral);
        using var responder = new NoiseHandshakeState(false, v.RespPrologue, v.RespStatic, v.RespEphemeral);

        int i = 0;
        for (; i < NoiseHandshakeState.MessageCount; i++)
        {
            bool fromInitiator = i % 2 == 0;
            NoiseHandshakeState sender = fromInitiator ? initiator : responder;
            NoiseHandshakeState receiver = fromInitiator ? responder : initiator;
            var wire = new ArrayBufferWriter<byte>();
            sender.WriteMessage(v.Messages[i].Payload, wire);
            Assert.Equal(Convert.ToHexStringLower(v.Messages[i].Ciphertext), Convert.ToHexStringLower(wire.WrittenSpan));

            var payload = new ArrayBufferWriter<byte>();
            receiver.ReadMessage(wire.WrittenSpan, payload);
            Assert.Equal(v.Messages[i].Payload, payload.WrittenSpan.ToArray());
        }

        Assert.True(initiator.IsCompleted);
        Assert.True(responder.IsCompleted);
        Assert.Equal(Convert.ToHexStringLower(v.HandshakeHash), Convert.ToHexStringLower(initiator.HandshakeHash));
        Assert.Equal(Convert.ToHexStringLower(v.HandshakeHash), Convert.ToHexStringLower(responder.HandshakeHash));

        NoiseTransportCiphers init = initiator.Split();
        NoiseTransportCiphers resp = responder.Split();
        using (init.Send)
        using (init.Receive)
        using (resp.Send)
        using (resp.Receive)
        {
            // After the handshake the vector's messages keep alternating, initiator first.
            for (; i < v.Messages.Count; i++)
            {
                bool fromInitiator = i % 2 == 0;
                NoiseCipherState send = fromInitiator ? init.Send : resp.Send;
                NoiseCipherState receive = fromInitiator ? resp.Receive : init.Receive;
                byte[] plaintext = v.Messages[i].Payload;
                byte[] ciphertext = new byte[plaintext.Length + NoiseProtocol.TagLength];
                send.EncryptWithAd(default, plaintext, ciphertext);
                Assert.Equal(Convert.ToHexStringLower(v.Messages[i].Ciphertext), Convert.ToHexStringLower(ciphertext));

                // In place, as the secure channel decrypts.
                Assert.True(receive.TryDecryptWithAd(default, ciphertext, ciphertext, out int written));
                Assert.Equal(plaintext, ciphertext.AsSpan(0, written).ToArray());
            }
        }
    }

    internal static List<Vector> LoadVectors()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", VectorFile);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        var vectors = new List<Vector>();
        foreach (JsonElement e in document.RootElement.GetProperty("vectors").EnumerateArray())
        {
            if (e.GetProperty("protocol_name").GetString() != "Noise_XX_25519_ChaChaPoly_SHA256")
            {
                continue;
            }

            var messages = new List<VectorMessage>();
            foreach (JsonElement m in e.GetProperty("messages").EnumerateArray())
            {
                messages.Add(new VectorMessage(Hex(m, "payload"), Hex(m, "ciphertext")));
            }

            vectors.Add(new Vector(
                e.GetProperty("protocol_name").GetString()!,
                Hex(e, "init_prologue"),
                Hex(e, "init_static"),
                Hex(e, "init_ephemeral"),
                Hex(e, "resp_prologue"),
                Hex(e, "resp_static"),
                Hex(e, "resp_ephemeral"),
                Hex(e, "handshake_hash"),
                messages));
        }

        return vectors;
    }

    private static byte[] Hex(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) ? Convert.FromHexString(value.GetString()!) : [];

    internal sealed record VectorMessage(byte[] Payload, byte[] Ciphertext);

    internal sealed record Vector(
        string ProtocolName,
        byte[] InitPrologue,
        byte[] InitStatic,
        byte[] InitEphemeral,
        byte[] RespPrologue,
        byte[] RespStatic,
        byte[] RespEphemeral,
        byte[] HandshakeHash,
        List<VectorMessage> Messages);
}
