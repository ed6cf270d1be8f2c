using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>
/// The deterministic echo payload, the same as <c>payload()</c> in js/peer.mjs: xorshift32 (13, 17, 5) words
/// written little-endian, seed 0 replaced by 0x9E3779B9. Lets a C# echo check match js's SHA-256s.
/// </summary>
public static class EchoPayload
{
    private const uint ZeroSeedReplacement = 0x9E3779B9;

    /// <summary>The first <paramref name="length"/> bytes of the stream for <paramref name="seed"/>.</summary>
    public static byte[] Generate(uint seed, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bytes = new byte[length];
        var x = seed == 0 ? ZeroSeedReplacement : seed;
        Span<byte> word = stackalloc byte[4];
        for (var i = 0; i < length; i += 4)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            BinaryPrimitives.WriteUInt32LittleEndian(word, x);
            word[..Math.Min(4, length - i)].CopyTo(bytes.AsSpan(i));
        }

        return bytes;
    }

    /// <summary>Lower-case hex SHA-256 of <see cref="Generate"/>, as js reports it.</summary>
    public static string Sha256Hex(uint seed, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Generate(seed, length)));
}
