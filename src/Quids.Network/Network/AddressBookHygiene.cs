using System.Globalization;
using System.Net;
using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>
/// Decides whether an address is worth keeping and which network group it counts in. Pure: no DNS lookups
/// (names are grouped together rather than resolved, since minting names is free and resolving is I/O).
/// </summary>
internal static class AddressBookHygiene
{
    /// <summary>The one group of every DNS-named address.</summary>
    public const string DnsGroup = "dns";

    /// <summary>Longest DNS name (RFC 1035), in characters.</summary>
    private const int MaxDnsNameLength = 253;

    /// <summary>Longest DNS label (RFC 1035), in characters.</summary>
    private const int MaxDnsLabelLength = 63;

    /// <summary>How an address's host is scoped.</summary>
    public enum Scope
    {
        Public,
        Private,
        Loopback,
    }

    /// <summary>
    /// Null if <paramref name="address"/> (already without its trailing /p2p) may be kept, with its group and
    /// scope; otherwise the reason it may not.
    /// </summary>
    public static string? Check(Multiaddress address, AddressBookOptions options, out string group, out Scope scope)
    {
        group = "";
        scope = Scope.Public;
        var components = address.Components;
        if (components.Count == 0)
        {
            return "it is empty";
        }

        string? reason = components[0].Name switch
        {
            "ip4" => CheckIp(new IPAddress(components[0].ValueBytes.Span), out group, out scope),
            "ip6" => CheckIp(new IPAddress(components[0].ValueBytes.Span), out group, out scope),
            "dns" or "dns4" or "dns6" or "dnsaddr" => CheckDnsName(components[0].Value, out group, out scope),
            _ => $"it starts with /{components[0].Name}, not an IP address or DNS name",
        };
        if (reason is not null)
        {
            return reason;
        }

        for (int i = 1; i < components.Count; i++)
        {
            var component = components[i];
            if (component.Name is "p2p" or "p2p-circuit")
            {
                return "it is a relayed address (p2p or p2p-circuit inside), not directly dialable";
            }

            if (component.Name is "tcp" or "udp" && component.Value == "0")
            {
                return "port 0 cannot be dialed";
            }
        }

        if (components[0].Name != "dnsaddr" && (components.Count < 2 || components[1].Name is not ("tcp" or "udp")))
        {
            return "it has no tcp or udp port after the host";
        }

        return scope switch
        {
            Scope.Loopback when !options.AllowLoopback => "loopback addresses are not allowed (AllowLoopback is false)",
            Scope.Private when !options.AllowPrivate => "private and link-local addresses are not allowed (AllowPrivate is false)",
            _ => null,
        };
    }

    private static string? CheckIp(IPAddress ip, out string group, out Scope scope)
    {
        group = "";
        scope = Scope.Public;
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        ip.TryWriteBytes(b, out int length);
        if (length == 4)
        {
            group = string.Create(CultureInfo.InvariantCulture, $"ip4:{b[0]}.{b[1]}");
            return CheckIp4(b[..4], ref scope);
        }

        group = string.Create(CultureInfo.InvariantCulture, $"ip6:{b[0]:x2}{b[1]:x2}:{b[2]:x2}{b[3]:x2}");
        return CheckIp6(ip, b, ref scope);
    }

    private static string? CheckIp4(ReadOnlySpan<byte> b, ref Scope scope)
    {
        if (b[0] == 0)
        {
            return "0.0.0.0/8 means 'this host', not a peer";
        }

        if (b[0] >= 224)
        {
            return "it is a multicast, reserved or broadcast IPv4 address (224.0.0.0/3)";
        }

        if ((b[0] == 192 && b[1] == 0 && b[2] == 2) || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113))
        {
            return "it is an RFC 5737 documentation address";
        }

        if (b[0] == 127)
        {
            scope = Scope.Loopback;
        }
        else if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168) ||
                 (b[0] == 100 && (b[1] & 0xC0) == 64) || (b[0] == 169 && b[1] == 254) || (b[0] == 198 && (b[1] & 0xFE) == 18))
        {
            scope = Scope.Private;
        }

        return null;
    }

    private static string? CheckIp6(IPAddress ip, ReadOnlySpan<byte> b, ref Scope scope)
    {
        if (ip.Equals(IPAddress.IPv6None))
        {
            return ":: means 'this host', not a peer";
        }

        if (b[0] == 0xFF)
        {
            return "it is an IPv6 multicast address (ff00::/8)";
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        {
            return "it is an RFC 3849 documentation address (2001:db8::/32)";
        }

        if (ip.Equals(IPAddress.IPv6Loopback))
        {
            scope = Scope.Loopback;
        }
        else if ((b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80))
        {
            scope = Scope.Private;
        }

        return null;
    }

    private static string? CheckDnsName(string name, out string group, out Scope scope)
    {
        group = DnsGroup;
        scope = Scope.Public;
        string trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length is 0 or > MaxDnsNameLength)
        {
            return $"a DNS name must have 1 to {MaxDnsNameLength} characters";
        }

        foreach (string label in trimmed.Split('.'))
        {
            if (label.Length is 0 or > MaxDnsLabelLength || label[0] == '-' || label[^1] == '-' ||
                !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return "it is not a valid DNS name";
            }
        }

        if (trimmed.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
            trimmed.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            scope = Scope.Loopback;
        }

        return null;
    }
}
