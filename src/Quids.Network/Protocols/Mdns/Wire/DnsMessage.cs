namespace Quids.Network.Protocols.Mdns.Wire;

/// <summary>A decoded DNS message (RFC 1035 §4.1): header flags and its four sections.</summary>
internal sealed record DnsMessage
{
    /// <summary>The QR bit of the header flags: set on responses.</summary>
    public const ushort ResponseFlag = 0x8000;

    /// <summary>The AA bit: RFC 6762 §18.4 requires it on every mDNS response.</summary>
    public const ushort AuthoritativeFlag = 0x0400;

    /// <summary>The transaction id; 0 in multicast queries and responses (RFC 6762 §18.1).</summary>
    public ushort Id { get; init; }

    /// <summary>The header flags word.</summary>
    public ushort Flags { get; init; }

    /// <summary>True when the QR bit says this is a response.</summary>
    public bool IsResponse => (Flags & ResponseFlag) != 0;

    /// <summary>The question section.</summary>
    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    /// <summary>The answer section.</summary>
    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    /// <summary>The authority section (read to keep the counts honest, not used).</summary>
    public IReadOnlyList<DnsRecord> Authorities { get; init; } = [];

    /// <summary>The additional section; go-libp2p puts its TXT records here.</summary>
    public IReadOnlyList<DnsRecord> Additionals { get; init; } = [];
}
