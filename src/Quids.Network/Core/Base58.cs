namespace Quids.Network.Core;

/// <summary>base58btc (the Bitcoin alphabet), used by peer ids and multiaddresses.</summary>
internal static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Longest text accepted by <see cref="TryDecode"/>; decoding is quadratic, so input is capped.</summary>
    public const int MaxTextLength = 512;

    private static readonly sbyte[] s_map = BuildMap();

    public static string Encode(ReadOnlySpan<byte> data)
    {
        int zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256) / log(58) < 1.38
        var digits = new byte[(data.Length - zeros) * 138 / 100 + 1];
        int length = 0;
        for (int i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            int j = 0;
            for (; j < length || carry != 0; j++)
            {
                carry += 256 * digits[j];
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }

            length = j;
        }

        var chars = new char[zeros + length];
        chars.AsSpan(0, zeros).Fill('1');
        for (int k = 0; k < length; k++)
        {
            chars[zeros + k] = Alphabet[digits[length - 1 - k]];
        }

        return new string(chars);
    }

    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length > MaxTextLength)
        {
            return false;
        }

        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        // log(58) / log(256) < 0.733
        var b256 = new byte[(text.Length - zeros) * 733 / 1000 + 1];
        int length = 0;
        for (int i = zeros; i < text.Length; i++)
        {
            char c = text[i];
            int carry = c < 128 ? s_map[c] : -1;
            if (carry < 0)
            {
                return false;
            }

            int j = 0;
            for (; j < length || carry != 0; j++)
            {
                carry += 58 * b256[j];
                b256[j] = (byte)carry;
                carry >>= 8;
            }

            length = j;
        }

        bytes = new byte[zeros + length];
        for (int k = 0; k < length; k++)
        {
            bytes[zeros + k] = b256[length - 1 - k];
        }

        return true;
    }

    private static sbyte[] BuildMap()
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            map[Alphabet[i]] = (sbyte)i;
        }

        return map;
    }
}
