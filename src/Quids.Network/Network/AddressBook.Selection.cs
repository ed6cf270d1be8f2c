using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>Choosing whom to dial.</summary>
internal sealed partial class AddressBook
{
    /// <summary>
    /// Up to <paramref name="count"/> peers to dial: never this node, never one in <paramref name="exclude"/>
    /// (typically those already connected) and never one in failure backoff. Recently successful peers come
    /// first, and picks are spread across network groups: one peer per group per round, so a single /16
    /// (IPv6 /32, or DNS names) cannot take every outbound slot. Ties are broken at random.
    /// </summary>
    public IReadOnlyList<AddressBookEntry> SelectForDialing(int count, IEnumerable<PeerId>? exclude = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        HashSet<PeerId> excluded = exclude is null ? [] : exclude.ToHashSet();
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            var groups = _peers.Values
                .Where(p => p.PeerId != _localPeerId && !excluded.Contains(p.PeerId) && p.Addresses.Count > 0 && RetryAfter(p, now) is null)
                .Select(p => (Peer: p, Tiebreak: _random.Next()))
                .OrderByDescending(x => x.Peer.LastConnected ?? DateTimeOffset.MinValue)
                .ThenBy(x => x.Peer.Failures)
                .ThenBy(x => x.Tiebreak)
                .Select(x => x.Peer)
                .GroupBy(p => p.Ranked().First().Group, StringComparer.Ordinal)
                .Select(g => new Queue<AddressBookPeerState>(g))
                .ToList();

            // GroupBy keeps first-appearance order, so the group holding the best peer leads each round.
            var picks = new List<AddressBookEntry>(Math.Min(count, _peers.Count));
            while (picks.Count < count && groups.Count > 0)
            {
                foreach (var group in groups)
                {
                    if (picks.Count == count)
                    {
                        break;
                    }

                    picks.Add(group.Dequeue().ToEntry(null));
                }

                groups.RemoveAll(g => g.Count == 0);
            }

            return picks;
        }
    }
}
