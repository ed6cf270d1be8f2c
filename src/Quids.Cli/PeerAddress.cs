using System.CommandLine.Parsing;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Quids.Network.Core;

namespace Quids.Cli;

/// <summary>Reads a peer address given on the command line: a multiaddress or <c>host:port</c>.</summary>
internal static class PeerAddress
{
    /// <summary>
    /// Parses <c>/ip4/1.2.3.4/tcp/4001[/p2p/12D3KooW…]</c>, <c>1.2.3.4:4001</c>, <c>[::1]:4001</c> or
    /// <c>example.org:4001</c> into a TCP multiaddress; <paramref name="error"/> says what is wrong otherwise.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Multiaddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        error = null;
        text = text.Trim();
        if (text.StartsWith('/'))
        {
            try
            {
                address = Multiaddress.Parse(text);
            }
            catch (FormatException e)
            {
                error = $"'{text}' is not a valid multiaddress: {e.Message}";
                return false;
            }

            if (!address.TryGetTcpEndPoint(out _))
            {
                error = $"'{text}' is not a TCP address (/ip4|ip6|dns/…/tcp/<port>[/p2p/<id>]).";
                address = null;
                return false;
            }

            return true;
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is neither a multiaddress (/ip4/…/tcp/…) nor host:port.";
            return false;
        }

        string host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = $"'{text}': the port must be a number from 1 to 65535.";
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            // "::1:4001" is itself a valid IPv6 address: only brackets say where the port starts.
            error = $"'{text}': write an IPv6 address in brackets, as [::1]:4001.";
            return false;
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            address = Multiaddress.FromEndPoint(new IPEndPoint(ip, port));
            return true;
        }

        if (host.Contains(':', StringComparison.Ordinal) || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            error = $"'{text}': '{host}' is not a host name or IP address (write IPv6 as [addr]:port).";
            return false;
        }

        address = Multiaddress.Parse($"/dns/{host}/tcp/{port}");
        return true;
    }

    /// <summary>A System.CommandLine parser for arguments and options holding a peer address.</summary>
    public static Multiaddress? Parse(ArgumentResult result)
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (TryParse(token, out var address, out var error))
        {
            return address;
        }

        result.AddError(error);
        return null;
    }
}
