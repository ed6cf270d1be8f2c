namespace Quids.Network.Core;

/// <summary>How a multiaddress protocol's value is encoded.</summary>
internal enum MultiaddressValueKind
{
    None,
    Ip4,
    Ip6,
    Port,
    Text,
    PeerId,
    Multibase,
}

/// <summary>One entry of the multiaddr protocol table (multiformats/multicodec, the subset libp2p nodes use).</summary>
internal sealed record MultiaddressProtocol(string Name, int Code, MultiaddressValueKind Kind)
{
    /// <summary>Longest text or binary value accepted for a variable-length component (DNS names are ≤ 253).</summary>
    public const int MaxValueLength = 1024;

    public static readonly MultiaddressProtocol Ip4 = new("ip4", 0x04, MultiaddressValueKind.Ip4);
    public static readonly MultiaddressProtocol Tcp = new("tcp", 0x06, MultiaddressValueKind.Port);
    public static readonly MultiaddressProtocol Udp = new("udp", 0x0111, MultiaddressValueKind.Port);
    public static readonly MultiaddressProtocol Ip6 = new("ip6", 0x29, MultiaddressValueKind.Ip6);
    public static readonly MultiaddressProtocol Ip6Zone = new("ip6zone", 0x2a, MultiaddressValueKind.Text);
    public static readonly MultiaddressProtocol Dns = new("dns", 0x35, MultiaddressValueKind.Text);
    public static readonly MultiaddressProtocol Dns4 = new("dns4", 0x36, MultiaddressValueKind.Text);
    public static readonly MultiaddressProtocol Dns6 = new("dns6", 0x37, MultiaddressValueKind.Text);
    public static readonly MultiaddressProtocol DnsAddr = new("dnsaddr", 0x38, MultiaddressValueKind.Text);
    public static readonly MultiaddressProtocol P2p = new("p2p", 0x01a5, MultiaddressValueKind.PeerId);
    public static readonly MultiaddressProtocol P2pCircuit = new("p2p-circuit", 0x0122, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol Quic = new("quic", 0x01cc, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol QuicV1 = new("quic-v1", 0x01cd, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol Tls = new("tls", 0x01c0, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol Noise = new("noise", 0x01c6, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol Ws = new("ws", 0x01dd, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol Wss = new("wss", 0x01de, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol WebTransport = new("webtransport", 0x01d1, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol WebRtcDirect = new("webrtc-direct", 0x0118, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol WebRtc = new("webrtc", 0x0119, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol CertHash = new("certhash", 0x01d2, MultiaddressValueKind.Multibase);
    public static readonly MultiaddressProtocol Sni = new("sni", 0x01c1, MultiaddressValueKind.Text);
    public static readonly MultiaddressProtocol Http = new("http", 0x01e0, MultiaddressValueKind.None);
    public static readonly MultiaddressProtocol Https = new("https", 0x01bb, MultiaddressValueKind.None);

    private static readonly MultiaddressProtocol[] s_all =
    [
        Ip4, Tcp, Udp, Ip6, Ip6Zone, Dns, Dns4, Dns6, DnsAddr, P2p, P2pCircuit, Quic, QuicV1, Tls, Noise, Ws, Wss,
        WebTransport, WebRtcDirect, WebRtc, CertHash, Sni, Http, Https,
    ];

    private static readonly Dictionary<string, MultiaddressProtocol> s_byName = BuildByName();
    private static readonly Dictionary<int, MultiaddressProtocol> s_byCode = s_all.ToDictionary(p => p.Code);

    public static MultiaddressProtocol? FromName(string name) => s_byName.GetValueOrDefault(name);

    public static MultiaddressProtocol? FromCode(int code) => s_byCode.GetValueOrDefault(code);

    private static Dictionary<string, MultiaddressProtocol> BuildByName()
    {
        var map = s_all.ToDictionary(p => p.Name, StringComparer.Ordinal);
        map["ipfs"] = P2p; // the old name of /p2p, still parsed
        return map;
    }
}
