using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>The mutable record of one peer inside <see cref="AddressBook"/>; only touched under the book's lock.</summary>
internal sealed class AddressBookPeerState(PeerId peerId, DateTimeOffset firstSeen)
{
    public PeerId PeerId { get; } = peerId;

    public List<AddressBookAddress> Addresses { get; } = [];

    public AddressSource Sources { get; set; }

    public DateTimeOffset FirstSeen { get; set; } = firstSeen;

    public DateTimeOffset LastSeen { get; set; } = firstSeen;

    public DateTimeOffset? LastConnected { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset? LastFailure { get; set; }

    public int IndexOf(Multiaddress address) => Addresses.FindIndex(a => a.Address == address);

    public bool HasGroup(string group) => Addresses.Exists(a => a.Group == group);

    /// <summary>The addresses best first: most recent success, then fewest failures, then oldest known.</summary>
    public IEnumerable<AddressBookAddress> Ranked() =>
        Addresses.Select((a, i) => (a, i))
            .OrderByDescending(x => x.a.LastConnected ?? DateTimeOffset.MinValue)
            .ThenBy(x => x.a.Failures)
            .ThenBy(x => x.i)
            .Select(x => x.a);

    public AddressBookEntry ToEntry(DateTimeOffset? retryAfter) =>
        new(PeerId, [.. Ranked()], Sources, FirstSeen, LastSeen, LastConnected, Failures, LastFailure, retryAfter);
}
