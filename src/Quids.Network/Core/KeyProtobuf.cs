namespace Quids.Network.Core;

/// <summary>
/// The libp2p <c>PublicKey</c>/<c>PrivateKey</c> messages: <c>{ required KeyType Type = 1; required bytes Data = 2; }</c>.
/// Written by hand because peer ids hash the canonical encoding (field 1 then field 2, nothing else), which
/// must be reproduced byte for byte; reading is strict for the same reason.
/// </summary>
internal static class KeyProtobuf
{
    /// <summary>An encoded key larger than this is refused: 8 KiB holds an RSA-16384 key with room to spare.</summary>
    public const int MaxEncodedLength = 8 * 1024;

    public static byte[] Encode(KeyType type, ReadOnlySpan<byte> data)
    {
        int length = 1 + Varint.GetLength((ulong)type) + 1 + Varint.GetLength((ulong)data.Length) + data.Length;
        var bytes = new byte[length];
        int i = 0;
        bytes[i++] = 0x08;
        i += Varint.Write(bytes.AsSpan(i), (ulong)type);
        bytes[i++] = 0x12;
        i += Varint.Write(bytes.AsSpan(i), (ulong)data.Length);
        data.CopyTo(bytes.AsSpan(i));
        return bytes;
    }

    public static (KeyType Type, byte[] Data) Decode(ReadOnlySpan<byte> encoded, string what)
    {
        if (encoded.Length > MaxEncodedLength)
        {
            throw new FormatException($"The encoded {what} is {encoded.Length} bytes; at most {MaxEncodedLength} are accepted.");
        }

        KeyType? type = null;
        byte[]? data = null;
        int i = 0;
        while (i < encoded.Length)
        {
            if (Varint.TryRead(encoded[i..], out ulong tag, out int n) != VarintStatus.Done)
            {
                throw new FormatException($"The encoded {what} has a malformed field tag at offset {i}.");
            }

            i += n;
            switch (tag)
            {
                case 0x08:
                    if (Varint.TryRead(encoded[i..], out ulong t, out n) != VarintStatus.Done || t > 3)
                    {
                        throw new FormatException($"The encoded {what} has an unknown key type.");
                    }

                    type = (KeyType)t;
                    i += n;
                    break;
                case 0x12:
                    if (Varint.TryRead(encoded[i..], out ulong len, out n) != VarintStatus.Done || len > (ulong)(encoded.Length - i - n))
                    {
                        throw new FormatException($"The encoded {what} has a key data length beyond its end.");
                    }

                    i += n;
                    data = encoded.Slice(i, (int)len).ToArray();
                    i += (int)len;
                    break;
                default:
                    throw new FormatException($"The encoded {what} has an unexpected field (tag 0x{tag:x}).");
            }
        }

        if (type is null || data is null)
        {
            throw new FormatException($"The encoded {what} lacks its {(type is null ? "Type" : "Data")} field.");
        }

        return (type.Value, data);
    }
}
