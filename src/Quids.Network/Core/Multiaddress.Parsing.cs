using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quids.Network.Core;

public sealed partial class Multiaddress
{
    private static bool TryParse(string? text, [NotNullWhen(true)] out Multiaddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            error = "it must start with '/'";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"it is longer than {MaxLength} characters";
            return false;
        }

        string[] parts = text.TrimEnd('/').Split('/');
        var components = new List<MultiaddressComponent>();
        for (int i = 1; i < parts.Length; i++)
        {
            var protocol = MultiaddressProtocol.FromName(parts[i]);
            if (protocol is null)
            {
                error = $"unknown protocol '{parts[i]}'";
                return false;
            }

            string value = string.Empty;
            if (protocol.Kind != MultiaddressValueKind.None)
            {
                if (++i >= parts.Length || parts[i].Length == 0)
                {
                    error = $"/{protocol.Name} needs a value";
                    return false;
                }

                value = parts[i];
            }

            if (!TryEncodeValue(protocol, value, out byte[] bytes, out error))
            {
                return false;
            }

            components.Add(new MultiaddressComponent(protocol, bytes, FormatValue(protocol, bytes)));
            if (components.Count > MaxComponents)
            {
                error = $"it has more than {MaxComponents} components";
                return false;
            }
        }

        if (components.Count == 0)
        {
            error = "it has no components";
            return false;
        }

        address = new Multiaddress([.. components]);
        error = null;
        return true;
    }

    private static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Multiaddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (bytes.Length == 0 || bytes.Length > MaxLength)
        {
            error = bytes.Length == 0 ? "it is empty" : $"it is longer than {MaxLength} bytes";
            return false;
        }

        var components = new List<MultiaddressComponent>();
        int i = 0;
        while (i < bytes.Length)
        {
            if (Varint.TryRead(bytes[i..], out ulong code, out int n, maxValue: int.MaxValue) != VarintStatus.Done)
            {
                error = $"malformed protocol code at offset {i}";
                return false;
            }

            var protocol = MultiaddressProtocol.FromCode((int)code);
            if (protocol is null)
            {
                error = $"unknown protocol code 0x{code:x} at offset {i}";
                return false;
            }

            i += n;
            int length = protocol.Kind switch
            {
                MultiaddressValueKind.None => 0,
                MultiaddressValueKind.Ip4 => 4,
                MultiaddressValueKind.Ip6 => 16,
                MultiaddressValueKind.Port => 2,
                _ => -1,
            };
            if (length < 0)
            {
                if (Varint.TryRead(bytes[i..], out ulong len, out n, maxValue: MultiaddressProtocol.MaxValueLength) != VarintStatus.Done)
                {
                    error = $"malformed or oversized /{protocol.Name} value length at offset {i}";
                    return false;
                }

                i += n;
                length = (int)len;
            }

            if (length > bytes.Length - i)
            {
                error = $"/{protocol.Name} value runs past the end";
                return false;
            }

            byte[] value = bytes.Slice(i, length).ToArray();
            i += length;
            if (!TryValidateBytes(protocol, value, out error))
            {
                return false;
            }

            components.Add(new MultiaddressComponent(protocol, value, FormatValue(protocol, value)));
            if (components.Count > MaxComponents)
            {
                error = $"it has more than {MaxComponents} components";
                return false;
            }
        }

        address = new Multiaddress([.. components]);
        error = null;
        return true;
    }

    private static bool TryEncodeValue(MultiaddressProtocol protocol, string value, out byte[] bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = [];
        error = null;
        switch (protocol.Kind)
        {
            case MultiaddressValueKind.None:
                return true;
            case MultiaddressValueKind.Ip4:
            case MultiaddressValueKind.Ip6:
                var family = protocol.Kind == MultiaddressValueKind.Ip4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                if (!IPAddress.TryParse(value, out var ip) || ip.AddressFamily != family || value.Contains('%', StringComparison.Ordinal)
                    || (family == AddressFamily.InterNetwork && value.Count(c => c == '.') != 3))
                {
                    error = $"'{value}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address";
                    return false;
                }

                bytes = ip.GetAddressBytes();
                return true;
            case MultiaddressValueKind.Port:
                if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
                {
                    error = $"'{value}' is not a port number (0-65535)";
                    return false;
                }

                bytes = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(bytes, port);
                return true;
            case MultiaddressValueKind.PeerId:
                if (!PeerId.TryParse(value, out var peerId))
                {
                    error = $"'{value}' is not a peer id";
                    return false;
                }

                bytes = peerId.Bytes.ToArray();
                return true;
            case MultiaddressValueKind.Multibase:
                if (!Multibase.TryDecode(value, out bytes))
                {
                    error = $"'{value}' is not multibase text";
                    return false;
                }

                return TryValidateBytes(protocol, bytes, out error);
            default:
                bytes = Encoding.UTF8.GetBytes(value);
                return TryValidateBytes(protocol, bytes, out error);
        }
    }

    private static bool TryValidateBytes(MultiaddressProtocol protocol, byte[] value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (protocol.Kind)
        {
            case MultiaddressValueKind.PeerId:
                return PeerId.TryFromBytes(value, out _, out error);
            case MultiaddressValueKind.Text:
                if (value.Length == 0 || value.Length > MultiaddressProtocol.MaxValueLength || value.Contains((byte)'/'))
                {
                    error = $"/{protocol.Name} value must be 1-{MultiaddressProtocol.MaxValueLength} bytes without '/'";
                    return false;
                }

                try
                {
                    _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value);
                }
                catch (DecoderFallbackException)
                {
                    error = $"/{protocol.Name} value is not UTF-8";
                    return false;
                }

                return true;
            default:
                return true;
        }
    }

    private static string FormatValue(MultiaddressProtocol protocol, byte[] value) => protocol.Kind switch
    {
        MultiaddressValueKind.None => string.Empty,
        MultiaddressValueKind.Ip4 or MultiaddressValueKind.Ip6 => new IPAddress(value).ToString(),
        MultiaddressValueKind.Port => BinaryPrimitives.ReadUInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
        MultiaddressValueKind.PeerId => Base58.Encode(value),
        MultiaddressValueKind.Multibase => Multibase.EncodeBase64Url(value),
        _ => ToUtf8(value),
    };
}
