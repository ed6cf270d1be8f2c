using System.Net;
using System.Net.Sockets;

namespace Quids.Network.Protocols.Mdns;

/// <summary>One family's mDNS socket with the interfaces it joined the group on.</summary>
internal sealed class MdnsSocket
{
    public MdnsSocket(Socket socket, IPAddress group, IReadOnlyList<MdnsInterface> interfaces)
    {
        Socket = socket;
        Group = group;
        Interfaces = interfaces;
    }

    public Socket Socket { get; }

    /// <summary>224.0.0.251 or ff02::fb.</summary>
    public IPAddress Group { get; }

    /// <summary>Where we joined the group, and so where each message is sent once.</summary>
    public IReadOnlyList<MdnsInterface> Interfaces { get; }

    /// <summary>When we last multicast our answer on this socket; only touched by its receive loop.</summary>
    public DateTimeOffset? LastAnswer { get; set; }

    public string Family => Group.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
}
