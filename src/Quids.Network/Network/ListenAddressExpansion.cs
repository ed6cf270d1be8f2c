using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>
/// Turns a bound endpoint into the addresses others can dial: an unspecified address (0.0.0.0 or ::) is
/// replaced by the addresses of the machine's interfaces that are up.
/// </summary>
internal static class ListenAddressExpansion
{
    public static IEnumerable<Multiaddress> Expand(IPEndPoint bound)
    {
        if (!bound.Address.Equals(IPAddress.Any) && !bound.Address.Equals(IPAddress.IPv6Any))
        {
            return [Multiaddress.FromEndPoint(bound)];
        }

        bool v6 = bound.Address.Equals(IPAddress.IPv6Any);
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up || n.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (v6 && a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
            .Distinct()
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6)
            .ThenBy(a => IPAddress.IsLoopback(a) ? 0 : 1)
            .Select(a => Multiaddress.FromEndPoint(new IPEndPoint(a, bound.Port)))
            .ToList();
        return addresses.Count > 0 ? addresses : [Multiaddress.FromEndPoint(new IPEndPoint(v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, bound.Port))];
    }
}
