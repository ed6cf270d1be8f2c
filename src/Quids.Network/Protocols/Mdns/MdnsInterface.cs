using System.Net;

namespace Quids.Network.Protocols.Mdns;

/// <summary>An interface a socket joined the mDNS group on.</summary>
/// <param name="Name">The interface name, for logs.</param>
/// <param name="Index">Its index: how IPv6 names the interface for joins and sends.</param>
/// <param name="Address">Its IPv4 address: how IPv4 names it; null on the IPv6 socket.</param>
internal sealed record MdnsInterface(string Name, int Index, IPAddress? Address)
{
    public override string ToString() => Address is null ? $"{Name}#{Index}" : $"{Name}({Address})";
}
