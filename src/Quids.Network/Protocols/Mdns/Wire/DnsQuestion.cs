namespace Quids.Network.Protocols.Mdns.Wire;

/// <summary>One question of a DNS message.</summary>
/// <param name="Name">The dotted name asked about, without a trailing dot.</param>
/// <param name="Type">The record type asked for.</param>
/// <param name="UnicastResponse">The mDNS QU bit (top bit of the class): the asker prefers a unicast answer.</param>
internal sealed record DnsQuestion(string Name, DnsRecordType Type, bool UnicastResponse = false);
