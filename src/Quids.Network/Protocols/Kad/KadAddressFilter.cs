using System.Net;
using System.Net.Sockets;
using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// Decides which addresses peers tell us about are worth storing and passing on: never unspecified,
/// multicast or broadcast ones (nobody can dial them), never our own (a peer claiming our address is
/// either confused or redirecting traffic to us), and private ones only when allowed.
/// </summary>
internal static class KadAddressFilter
{
    /// <summary>Null when <paramref name="address"/> of <paramref name="peer"/> is acceptable, else why not.</summary>
    public static string? Reject(Multiaddress address, PeerId peer, IReadOnlyCollection<Multiaddress> ownAddresses, bool allowPrivate)
    {
        if (address.GetPeerId() is { } embedded && embedded != peer)
        {
            return $"it names another peer ({embedded})";
        }

        var bare = address.WithoutPeerId();
        if (ownAddresses.Contains(bare))
        {
            return "it is one of our own listen addresses";
        }

        if (address.Components.Count == 0 || address.Components[0].Name is not ("ip4" or "ip6"))
        {
            return null;
        }

        var ip = new IPAddress(address.Components[0].ValueBytes.Span);
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return "it is unspecified (0.0.0.0 or ::)";
        }

        if (ip.Equals(IPAddress.Broadcast) || IsMulticast(ip))
        {
            return "it is a multicast or broadcast address";
        }

        if (!allowPrivate && IsPrivate(ip))
        {
            return "it is private, loopback or link-local and private addresses are not allowed";
        }

        return null;
    }

    /// <summary>
    /// The acceptable ones of <paramref name="addresses"/> without a trailing <c>/p2p/</c> of the peer itself,
    /// calling <paramref name="onRejected"/> for the others. js-libp2p writes that suffix in ADD_PROVIDER but not in
    /// FIND_NODE answers or identify; dropping it keeps one form per address, so duplicates collapse.
    /// </summary>
    public static List<Multiaddress> Filter(
        IEnumerable<Multiaddress> addresses,
        PeerId peer,
        IReadOnlyCollection<Multiaddress> ownAddresses,
        bool allowPrivate,
        Action<Multiaddress, string>? onRejected = null)
    {
        var kept = new List<Multiaddress>();
        foreach (var address in addresses)
        {
            if (Reject(address, peer, ownAddresses, allowPrivate) is { } reason)
            {
                onRejected?.Invoke(address, reason);
            }
            else if (Bare(address) is var bare && !kept.Contains(bare))
            {
                kept.Add(bare);
            }
        }

        return kept;
    }

    // A relayed address (/p2p/<relay>/p2p-circuit/p2p/<peer>) keeps its suffix: without it, the relay's id
    // would be the last one and a dial would take the relay for the peer.
    private static Multiaddress Bare(Multiaddress address) =>
        address.WithoutPeerId() is var bare && bare.GetPeerId() is null ? bare : address;

    private static bool IsMulticast(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork
        ? (ip.GetAddressBytes()[0] & 0xF0) == 224
        : ip.IsIPv6Multicast;

    private static bool IsPrivate(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip))
        {
            return true;
        }

        byte[] b = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] == 10 || b[0] == 0
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && (b[1] & 0xC0) == 64);
        }

        return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal;
    }
}
