using Quids.Network.InteropTests.JsLibp2p;

namespace Quids.Network.InteropTests.Harness;

public sealed class EchoPayloadTests
{
    [Fact]
    public void Starts_with_the_xorshift32_words_of_the_seed_little_endian()
    {
        // xorshift32(1) = 0x00042021, then 0x04080601.
        Assert.Equal(new byte[] { 0x21, 0x20, 0x04, 0x00, 0x01, 0x06, 0x08, 0x04 }, EchoPayload.Generate(1, 8));
    }

    [Fact]
    public void A_length_not_divisible_by_four_is_a_prefix_of_the_longer_stream()
    {
        Assert.Equal(EchoPayload.Generate(5, 12)[..7], EchoPayload.Generate(5, 7));
    }
}
