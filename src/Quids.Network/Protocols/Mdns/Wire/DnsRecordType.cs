namespace Quids.Network.Protocols.Mdns.Wire;

/// <summary>The DNS record types mDNS discovery reads or writes (RFC 1035, RFC 3596); others are skipped.</summary>
internal enum DnsRecordType : ushort
{
    /// <summary>An IPv4 address.</summary>
    A = 1,

    /// <summary>A pointer to another name: the service name points to each instance.</summary>
    Ptr = 12,

    /// <summary>Text strings: libp2p puts <c>dnsaddr=&lt;multiaddr&gt;</c> here.</summary>
    Txt = 16,

    /// <summary>An IPv6 address.</summary>
    Aaaa = 28,

    /// <summary>Service location (port and host); go-libp2p sends it, we only skip it.</summary>
    Srv = 33,

    /// <summary>The question "all record types".</summary>
    Any = 255,
}
