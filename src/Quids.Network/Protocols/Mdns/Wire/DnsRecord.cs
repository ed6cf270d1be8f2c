using System.Net;

namespace Quids.Network.Protocols.Mdns.Wire;

/// <summary>
/// One resource record. Only the data of the types discovery uses is decoded: <see cref="Target"/> for PTR,
/// <see cref="Text"/> for TXT, <see cref="Address"/> for A and AAAA; other types keep only their header.
/// </summary>
internal sealed record DnsRecord
{
    /// <summary>The dotted owner name, without a trailing dot.</summary>
    public required string Name { get; init; }

    /// <summary>The record type.</summary>
    public required DnsRecordType Type { get; init; }

    /// <summary>Seconds the record may be cached; 0 in mDNS means "goodbye, forget it".</summary>
    public uint Ttl { get; init; }

    /// <summary>The mDNS cache-flush bit (top bit of the class).</summary>
    public bool CacheFlush { get; init; }

    /// <summary>The name a PTR record points to.</summary>
    public string? Target { get; init; }

    /// <summary>The strings of a TXT record, decoded as UTF-8.</summary>
    public IReadOnlyList<string>? Text { get; init; }

    /// <summary>The address of an A or AAAA record.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>A PTR record from <paramref name="name"/> to <paramref name="target"/>.</summary>
    public static DnsRecord Ptr(string name, string target, uint ttl) =>
        new() { Name = name, Type = DnsRecordType.Ptr, Ttl = ttl, Target = target };

    /// <summary>A TXT record holding <paramref name="text"/>.</summary>
    public static DnsRecord Txt(string name, IReadOnlyList<string> text, uint ttl) =>
        new() { Name = name, Type = DnsRecordType.Txt, Ttl = ttl, Text = text };
}
