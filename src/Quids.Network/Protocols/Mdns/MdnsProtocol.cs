using System.Net;
using System.Security.Cryptography;
using System.Text;
using Quids.Network.Core;
using Quids.Network.Protocols.Mdns.Wire;

namespace Quids.Network.Protocols.Mdns;

/// <summary>
/// libp2p mDNS discovery (libp2p/specs discovery/mdns.md, as js-libp2p's <c>@libp2p/mdns</c> and go-libp2p
/// speak it): a PTR question for <c>_p2p._udp.local</c>; an answer of one PTR record
/// <c>_p2p._udp.local → &lt;peer name&gt;._p2p._udp.local</c> plus TXT records <c>dnsaddr=&lt;multiaddr&gt;/p2p/&lt;id&gt;</c>,
/// where the peer name is a random label. Pure code: builds and reads messages, the service does the I/O.
/// </summary>
internal static class MdnsProtocol
{
    /// <summary>The DNS-SD service every libp2p peer answers for.</summary>
    public const string ServiceName = "_p2p._udp.local";

    /// <summary>The mDNS port (RFC 6762).</summary>
    public const int Port = 5353;

    /// <summary>The IN class of every record.</summary>
    public const ushort ClassInternet = 1;

    /// <summary>Prefix of a TXT string holding a multiaddress.</summary>
    public const string DnsaddrPrefix = "dnsaddr=";

    /// <summary>
    /// Largest datagram read or sent, in bytes: 9000, RFC 6762 §17's bound for mDNS messages (a jumbo frame);
    /// anything longer is not mDNS and is dropped unread.
    /// </summary>
    public const int MaxMessageSize = 9000;

    /// <summary>
    /// Questions plus records in one message: 128. A libp2p answer has 1 PTR and one TXT per address
    /// (<see cref="MaxAnnouncedAddresses"/>); printers and the like stay far below too. Bounds the allocations
    /// a forged header can ask for.
    /// </summary>
    public const int MaxRecords = 128;

    /// <summary>Longest label in bytes: 63 (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longest name in wire bytes, length octets included: 255 (RFC 1035 §2.3.4).</summary>
    public const int MaxNameLength = 255;

    /// <summary>
    /// Compression pointers one name may follow: 16. Honest encoders need one per name; the bound keeps a crafted
    /// chain from costing more than a few steps, on top of the rule that each jump lands earlier than the last.
    /// </summary>
    public const int MaxCompressionPointers = 16;

    /// <summary>Longest TXT string in bytes: 255, its one-byte length prefix (RFC 6763 §6.1).</summary>
    public const int MaxTextStringLength = 255;

    /// <summary>
    /// Addresses we announce: 24. With the longest names and strings that keeps our answer under
    /// <see cref="MaxMessageSize"/> (24 × 347 bytes + PTR and header ≈ 8.5 KB).
    /// </summary>
    public const int MaxAnnouncedAddresses = 24;

    /// <summary>Addresses taken from one peer's answer: 32; more only serve to fill our address book.</summary>
    public const int MaxDiscoveredAddresses = 32;

    /// <summary>Record TTL in seconds: 120, js-libp2p's and RFC 6762's for records naming a host.</summary>
    public const uint Ttl = 120;

    /// <summary>Characters of the random peer name: 32 of [a-z0-9], a fresh label per start as js-libp2p does.</summary>
    public const int PeerNameLength = 32;

    /// <summary>The IPv4 mDNS group.</summary>
    public static readonly IPAddress MulticastGroupV4 = IPAddress.Parse("224.0.0.251");

    /// <summary>The IPv6 link-local mDNS group.</summary>
    public static readonly IPAddress MulticastGroupV6 = IPAddress.Parse("ff02::fb");

    /// <summary>A new random peer name: a single DNS label that reveals nothing about the peer id.</summary>
    public static string NewPeerName()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, PeerNameLength);
    }

    /// <summary>The query every peer sends on start and then every query interval.</summary>
    public static byte[] BuildQuery() =>
        DnsWriter.Write(new DnsMessage { Questions = [new DnsQuestion(ServiceName, DnsRecordType.Ptr)] });

    /// <summary>
    /// Our answer: the PTR to <paramref name="peerName"/> and one TXT per address (each with
    /// <c>/p2p/<paramref name="localPeer"/></c>). Addresses without an IP or with an unspecified IP, and
    /// strings over 255 bytes, are left out; so is anything past <see cref="MaxAnnouncedAddresses"/>.
    /// Returns null when no address is left: an answer without addresses tells nobody anything.
    /// </summary>
    public static byte[]? BuildResponse(string peerName, PeerId localPeer, IEnumerable<Multiaddress> addresses)
    {
        string instance = peerName + "." + ServiceName;
        var records = new List<DnsRecord> { DnsRecord.Ptr(ServiceName, instance, Ttl) };
        foreach (Multiaddress address in addresses)
        {
            if (records.Count - 1 >= MaxAnnouncedAddresses)
            {
                break;
            }

            if (!IsAnnounceable(address))
            {
                continue;
            }

            string text = DnsaddrPrefix + address.WithPeerId(localPeer);
            if (Encoding.UTF8.GetByteCount(text) <= MaxTextStringLength)
            {
                records.Add(DnsRecord.Txt(instance, [text], Ttl));
            }
        }

        return records.Count == 1 ? null : DnsWriter.Write(new DnsMessage
        {
            Flags = DnsMessage.ResponseFlag | DnsMessage.AuthoritativeFlag,
            Answers = records,
        });
    }

    /// <summary>True if <paramref name="message"/> is a query asking for libp2p peers (PTR or ANY on the service name).</summary>
    public static bool IsPeerQuery(DnsMessage message) =>
        !message.IsResponse && message.Questions.Any(q =>
            (q.Type is DnsRecordType.Ptr or DnsRecordType.Any) && NameEquals(q.Name, ServiceName));

    /// <summary>
    /// The peers announced in <paramref name="message"/>: for each PTR on the service name, the TXT records of its
    /// instance (in the answers or, as go-libp2p sends them, the additionals). Skips our own instance
    /// (<paramref name="localPeerName"/>) and <paramref name="localPeer"/>, goodbyes (TTL 0), and instances with no
    /// usable address; says why in <paramref name="problems"/> when an announcement is unusable.
    /// </summary>
    public static List<MdnsAnnouncement> ReadAnnouncements(DnsMessage message, string localPeerName, PeerId localPeer, List<string> problems)
    {
        var found = new List<MdnsAnnouncement>();
        if (!message.IsResponse)
        {
            return found;
        }

        foreach (DnsRecord ptr in message.Answers)
        {
            if (ptr.Type != DnsRecordType.Ptr || ptr.Target is not { } instance || !NameEquals(ptr.Name, ServiceName) || ptr.Ttl == 0)
            {
                continue;
            }

            string peerName = instance.Split('.')[0];
            if (string.Equals(peerName, localPeerName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (ReadInstance(message, instance, problems) is { } announcement && !announcement.PeerId.Equals(localPeer))
            {
                found.Add(announcement with { PeerName = peerName });
            }
        }

        return found;
    }

    private static MdnsAnnouncement? ReadInstance(DnsMessage message, string instance, List<string> problems)
    {
        PeerId? peer = null;
        var addresses = new List<Multiaddress>();
        foreach (DnsRecord txt in message.Answers.Concat(message.Additionals))
        {
            if (txt.Type != DnsRecordType.Txt || txt.Text is not { } strings || !NameEquals(txt.Name, instance))
            {
                continue;
            }

            foreach (string text in strings)
            {
                if (addresses.Count >= MaxDiscoveredAddresses || !text.StartsWith(DnsaddrPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string value = text[DnsaddrPrefix.Length..];
                if (!Multiaddress.TryParse(value, out Multiaddress? address) || address.GetPeerId() is not { } id)
                {
                    problems.Add($"mdns: {instance} announced '{value}', not a multiaddress ending in /p2p/<peer id>");
                    continue;
                }

                peer ??= id;
                if (!peer.Equals(id))
                {
                    problems.Add($"mdns: {instance} announced addresses of two peers, {peer} and {id}");
                    continue;
                }

                Multiaddress bare = address.WithoutPeerId();
                if (!addresses.Contains(bare))
                {
                    addresses.Add(bare);
                }
            }
        }

        if (peer is null)
        {
            problems.Add($"mdns: {instance} answered with no dnsaddr= address");
            return null;
        }

        return new MdnsAnnouncement(string.Empty, peer, addresses);
    }

    private static bool IsAnnounceable(Multiaddress address)
    {
        if (address.Components.Count == 0)
        {
            return false;
        }

        MultiaddressComponent first = address.Components[0];
        if (first.Protocol != MultiaddressProtocol.Ip4 && first.Protocol != MultiaddressProtocol.Ip6)
        {
            return false;
        }

        var ip = new IPAddress(first.ValueBytes.Span);
        return !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any);
    }

    /// <summary>DNS names compare without regard to ASCII case (RFC 1035 §2.3.3).</summary>
    private static bool NameEquals(string left, string right) =>
        string.Equals(left.TrimEnd('.'), right.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
}
