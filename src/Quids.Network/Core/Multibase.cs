namespace Quids.Network.Core;

/// <summary>The few multibase encodings libp2p text forms use: base58btc ('z'), base32 lower ('b'), base64url ('u'), hex ('f').</summary>
internal static class Multibase
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length < 1)
        {
            return false;
        }

        ReadOnlySpan<char> body = text.AsSpan(1);
        switch (text[0])
        {
            case 'z':
                return Base58.TryDecode(body, out bytes);
            case 'b':
                return TryDecodeBase32(body, out bytes);
            case 'u':
                return TryDecodeBase64Url(body, out bytes);
            case 'f':
                try
                {
                    bytes = Convert.FromHexString(body);
                    return true;
                }
                catch (FormatException)
                {
                    return false;
                }

            default:
                return false;
        }
    }

    public static string EncodeBase32(ReadOnlySpan<byte> data)
    {
        var chars = new System.Text.StringBuilder(1 + (data.Length * 8 + 4) / 5);
        chars.Append('b');
        int buffer = 0;
        int bits = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars.Append(Base32Alphabet[(buffer >> bits) & 31]);
            }
        }

        if (bits > 0)
        {
            chars.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return chars.ToString();
    }

    public static string EncodeBase64Url(ReadOnlySpan<byte> data) =>
        "u" + Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeBase32(ReadOnlySpan<char> text, out byte[] bytes)
    {
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0;
        int bits = 0;
        foreach (char c in text)
        {
            int value = Base32Alphabet.IndexOf(char.ToLowerInvariant(c), StringComparison.Ordinal);
            if (value < 0)
            {
                bytes = [];
                return false;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
            }
        }

        bytes = [.. output];
        return true;
    }

    private static bool TryDecodeBase64Url(ReadOnlySpan<char> text, out byte[] bytes)
    {
        string s = text.ToString().Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        try
        {
            bytes = Convert.FromBase64String(s);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
