using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// The iterative lookup of the kad-dht spec as a state machine with no I/O (not thread-safe: the driver
/// serialises calls). The driver asks <see cref="NextRequests"/> for peers to query (at most α in flight),
/// reports each answer or failure (timeouts are the driver's), and stops when <see cref="IsFinished"/>: the
/// k closest peers seen have all answered, or nobody is left to ask.
/// </summary>
internal sealed class KadLookup
{
    /// <summary>
    /// Candidates remembered per lookup: 2000, a hundred times k. Past it the farthest are forgotten, so a
    /// flood of fake closer peers cannot grow memory; the closest, the only ones that matter, are kept.
    /// </summary>
    public const int MaxCandidates = 2000;

    private readonly Dictionary<PeerId, Candidate> _byPeer = [];
    private readonly List<Candidate> _sorted = [];
    private readonly PeerId _local;
    private readonly int _alpha;
    private readonly int _k;

    public KadLookup(KadKey target, PeerId local, IEnumerable<KadPeerInfo> seeds, int alpha = KadOptions.DefaultAlpha, int k = KadOptions.DefaultBucketSize)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(alpha, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        Target = target;
        _local = local;
        _alpha = alpha;
        _k = k;
        AddCandidates(seeds);
    }

    private enum State
    {
        NotContacted,
        Waiting,
        Succeeded,
        Failed,
    }

    public KadKey Target { get; }

    /// <summary>Requests sent and not yet answered or failed.</summary>
    public int InFlight { get; private set; }

    /// <summary>Requests that were answered.</summary>
    public int Succeeded { get; private set; }

    /// <summary>True when the k closest non-failed candidates have all answered, or no one is left to ask.</summary>
    public bool IsFinished
    {
        get
        {
            int closest = 0;
            foreach (var candidate in _sorted)
            {
                if (candidate.State == State.Failed)
                {
                    continue;
                }

                if (candidate.State != State.Succeeded)
                {
                    return false;
                }

                if (++closest == _k)
                {
                    return true;
                }
            }

            return InFlight == 0;
        }
    }

    /// <summary>The peers that answered, closest to the target first, at most k.</summary>
    public IReadOnlyList<KadPeerInfo> ClosestPeers =>
        [.. _sorted.Where(c => c.State == State.Succeeded).Take(_k).Select(c => c.Peer)];

    /// <summary>What we learned about <paramref name="peer"/> so far (addresses merged from every answer).</summary>
    public KadPeerInfo? Find(PeerId peer) => _byPeer.TryGetValue(peer, out var candidate) ? candidate.Peer : null;

    /// <summary>
    /// The next peers to query, marked as waiting: the closest not yet contacted among the k closest live
    /// candidates, up to α requests in flight.
    /// </summary>
    public List<KadPeerInfo> NextRequests()
    {
        var next = new List<KadPeerInfo>();
        int live = 0;
        foreach (var candidate in _sorted)
        {
            if (InFlight >= _alpha || live >= _k)
            {
                break;
            }

            if (candidate.State == State.Failed)
            {
                continue;
            }

            live++;
            if (candidate.State == State.NotContacted)
            {
                candidate.State = State.Waiting;
                InFlight++;
                next.Add(candidate.Peer);
            }
        }

        return next;
    }

    /// <summary>Records <paramref name="peer"/>'s answer and the closer peers it gave.</summary>
    public void OnSuccess(PeerId peer, IEnumerable<KadPeerInfo> closerPeers)
    {
        if (!_byPeer.TryGetValue(peer, out var candidate) || candidate.State != State.Waiting)
        {
            return;
        }

        candidate.State = State.Succeeded;
        InFlight--;
        Succeeded++;
        AddCandidates(closerPeers);
    }

    /// <summary>Records that <paramref name="peer"/> failed or timed out; it is never asked again.</summary>
    public void OnFailure(PeerId peer)
    {
        if (_byPeer.TryGetValue(peer, out var candidate) && candidate.State == State.Waiting)
        {
            candidate.State = State.Failed;
            InFlight--;
        }
    }

    private void AddCandidates(IEnumerable<KadPeerInfo> peers)
    {
        foreach (var peer in peers)
        {
            if (peer.PeerId == _local)
            {
                continue;
            }

            if (_byPeer.TryGetValue(peer.PeerId, out var known))
            {
                if (peer.Addresses.Except(known.Peer.Addresses).Any())
                {
                    known.Peer = known.Peer with
                    {
                        Addresses = [.. known.Peer.Addresses.Union(peer.Addresses).Take(KadProtocol.MaxAddressesPerPeer)],
                    };
                }

                continue;
            }

            var candidate = new Candidate(peer);
            int index = _sorted.BinarySearch(candidate, Comparer<Candidate>.Create((a, b) => KadKey.CompareDistance(Target, a.Peer.Key, b.Peer.Key)));
            _sorted.Insert(index < 0 ? ~index : index, candidate);
            _byPeer[peer.PeerId] = candidate;
            if (_sorted.Count > MaxCandidates)
            {
                var farthest = _sorted[^1];
                if (farthest.State == State.Waiting)
                {
                    continue;
                }

                _sorted.RemoveAt(_sorted.Count - 1);
                _byPeer.Remove(farthest.Peer.PeerId);
            }
        }
    }

    private sealed class Candidate(KadPeerInfo peer)
    {
        public KadPeerInfo Peer { get; set; } = peer;

        public State State { get; set; }
    }
}
