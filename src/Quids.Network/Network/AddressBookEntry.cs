using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>A snapshot of one peer in the <see cref="AddressBook"/>. Immutable.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Addresses">Its addresses, best first (most recent success, then fewest failures, then oldest known).</param>
/// <param name="Sources">Every source that reported the peer.</param>
/// <param name="FirstSeen">When the book first learned the peer.</param>
/// <param name="LastSeen">When the peer was last reported or connected.</param>
/// <param name="LastConnected">When a connection to the peer last succeeded, or null if never.</param>
/// <param name="Failures">Failed dials since the last success.</param>
/// <param name="LastFailure">When the last dial failed, or null.</param>
/// <param name="RetryAfter">Until when the peer is in failure backoff (skipped by dialing selection), or null.</param>
internal sealed record AddressBookEntry(
    PeerId PeerId,
    IReadOnlyList<AddressBookAddress> Addresses,
    AddressSource Sources,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset? LastConnected,
    int Failures,
    DateTimeOffset? LastFailure,
    DateTimeOffset? RetryAfter)
{
    /// <summary>The addresses, best first, each ending in <c>/p2p/&lt;peer id&gt;</c> as a dialer needs them.</summary>
    public IReadOnlyList<Multiaddress> DialAddresses => [.. Addresses.Select(a => a.Address.WithPeerId(PeerId))];
}
