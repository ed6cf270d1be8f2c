using Google.Protobuf;
using Quids.Network.Security.Noise;
using Quids.Network.Security.Noise.Wire;

namespace Quids.Network.Tests.Security.Noise;

public sealed class NoisePayloadWireTests
{
    [Fact]
    public void Encodes_the_payload_with_the_field_numbers_of_the_libp2p_spec()
    {
        var payload = new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(0x01),
            IdentitySig = ByteString.CopyFrom(0x02),
            Extensions = new NoiseExtensions { StreamMuxers = { "/yamux/1.0.0" } },
        };

        // identity_key = 1, identity_sig = 2, extensions = 4 { stream_muxers = 2 }.
        byte[] expected =
        [
            0x0a, 0x01, 0x01, 0x12, 0x01, 0x02, 0x22, 0x0e, 0x12, 0x0c,
            .. "/yamux/1.0.0"u8,
        ];
        Assert.Equal(expected, payload.ToByteArray());
    }

    [Fact]
    public void Signs_the_static_key_behind_the_libp2p_prefix()
    {
        byte[] staticKey = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        Assert.Equal([.. "noise-libp2p-static-key:"u8, .. staticKey], NoisePayloadCodec.GetSignedData(staticKey));
    }
}
