using Microsoft.Extensions.Time.Testing;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad;

namespace Quids.Network.Tests.Protocols.Kad;

public class KadLookupTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Converges_to_the_true_k_closest_of_a_simulated_200_peer_network()
    {
        var network = new SimulatedNetwork(200, deadFraction: 0, seed: 1);
        var target = KadKey.FromBytes("some key"u8);

        var (lookup, _, maxInFlight) = network.Run(target, seedCount: 3);

        Assert.True(lookup.IsFinished);
        Assert.Equal(network.TrueClosest(target, 20), lookup.ClosestPeers.Select(p => p.PeerId));
        Assert.InRange(maxInFlight, 1, KadOptions.DefaultAlpha);
        Assert.True(lookup.Succeeded < 200, $"a lookup should not query the whole network ({lookup.Succeeded} queried)");
    }

    [Fact]
    public void Routes_around_peers_that_time_out()
    {
        var network = new SimulatedNetwork(200, deadFraction: 0.2, seed: 2);
        var target = KadKey.ForPeer(network.Peers[17]);

        var (lookup, elapsed, _) = network.Run(target, seedCount: 5);

        // Responders return their 20 closest, dead ones included, so the 20th live peer may be the 25th overall
        // and known to nobody's answer: Kademlia (and go/js) can then miss it. Expect nearly all, and only live ones.
        Assert.True(lookup.IsFinished);
        Assert.Equal(20, lookup.ClosestPeers.Count);
        Assert.DoesNotContain(lookup.ClosestPeers, p => network.IsDead(p.PeerId));
        Assert.True(network.TrueClosest(target, 20).Intersect(lookup.ClosestPeers.Select(p => p.PeerId)).Count() >= 18);
        Assert.Equal(network.TrueClosest(target, 10), lookup.ClosestPeers.Take(10).Select(p => p.PeerId));
        Assert.True(elapsed < TimeSpan.FromMinutes(2), $"timeouts run in parallel, not one after another ({elapsed})");
    }

    [Fact]
    public void Keeps_at_most_alpha_requests_in_flight_and_never_asks_a_peer_twice()
    {
        var seeds = Enumerable.Range(0, 30).Select(_ => KadTestPeers.Info(KadTestPeers.Random())).ToList();
        var lookup = new KadLookup(KadKey.FromBytes([9]), KadTestPeers.Random(), seeds, alpha: 3, k: 20);

        var first = lookup.NextRequests();
        Assert.Equal(3, first.Count);
        Assert.Empty(lookup.NextRequests());

        lookup.OnSuccess(first[0].PeerId, [first[1], first[2]]);
        var second = lookup.NextRequests();
        Assert.Single(second);
        Assert.DoesNotContain(second[0], first);
    }

    [Fact]
    public void Finishes_when_no_candidate_is_left()
    {
        var only = KadTestPeers.Info(KadTestPeers.Random());
        var lookup = new KadLookup(KadKey.FromBytes([1]), KadTestPeers.Random(), [only]);

        Assert.Equal([only], lookup.NextRequests());
        Assert.False(lookup.IsFinished);
        lookup.OnFailure(only.PeerId);

        Assert.True(lookup.IsFinished);
        Assert.Empty(lookup.ClosestPeers);
    }

    [Fact]
    public void Ignores_itself_in_closer_peers_and_merges_addresses_of_known_peers()
    {
        var local = KadTestPeers.Random();
        var peer = KadTestPeers.Random();
        var lookup = new KadLookup(KadKey.FromBytes([1]), local, [KadTestPeers.Info(peer)]);
        var asked = Assert.Single(lookup.NextRequests());

        lookup.OnSuccess(asked.PeerId, [
            new KadPeerInfo(local, [Multiaddress.Parse("/ip4/10.0.0.9/tcp/1")]),
            new KadPeerInfo(peer, [Multiaddress.Parse("/ip4/10.0.0.2/tcp/2")]),
        ]);

        Assert.Null(lookup.Find(local));
        Assert.Equal(2, lookup.Find(peer)!.Addresses.Count);
    }

    /// <summary>
    /// Peers each with a real <see cref="KadRoutingTable"/> filled with every other peer (buckets cap them at k,
    /// as in a real network); live peers answer after 5-100 ms of fake time, dead ones never, so the driver
    /// fails them after the request timeout.
    /// </summary>
    private sealed class SimulatedNetwork
    {
        private readonly Dictionary<PeerId, KadRoutingTable> _tables = [];
        private readonly HashSet<PeerId> _dead = [];
        private readonly Random _random;
        private readonly FakeTimeProvider _time = new();

        public SimulatedNetwork(int size, double deadFraction, int seed)
        {
            _random = new Random(seed);
            Peers = [.. Enumerable.Range(0, size).Select(_ => KadTestPeers.From(_random))];
            foreach (var peer in Peers)
            {
                var table = new KadRoutingTable(peer, _time);
                foreach (var other in Peers.OrderBy(_ => _random.Next()))
                {
                    table.AddOrUpdate(other, [Multiaddress.Parse("/ip4/10.0.0.1/tcp/4001")]);
                }

                _tables[peer] = table;
            }

            foreach (var peer in Peers.OrderBy(_ => _random.Next()).Take((int)(size * deadFraction)))
            {
                _dead.Add(peer);
            }
        }

        public List<PeerId> Peers { get; }

        public bool IsDead(PeerId peer) => _dead.Contains(peer);

        public List<PeerId> TrueClosest(KadKey target, int count) =>
            [.. Peers.Where(p => !_dead.Contains(p))
                .Order(Comparer<PeerId>.Create((a, b) => KadKey.CompareDistance(target, KadKey.ForPeer(a), KadKey.ForPeer(b))))
                .Take(count)];

        public (KadLookup Lookup, TimeSpan Elapsed, int MaxInFlight) Run(KadKey target, int seedCount)
        {
            var local = KadTestPeers.Random();
            var seeds = Peers.Where(p => !_dead.Contains(p)).OrderBy(_ => _random.Next()).Take(seedCount).Select(KadTestPeers.Info);
            var lookup = new KadLookup(target, local, seeds);
            var events = new PriorityQueue<PeerId, DateTimeOffset>();
            var start = _time.GetUtcNow();
            int maxInFlight = 0;
            while (!lookup.IsFinished)
            {
                foreach (var peer in lookup.NextRequests())
                {
                    var delay = _dead.Contains(peer.PeerId) ? RequestTimeout : TimeSpan.FromMilliseconds(_random.Next(5, 100));
                    events.Enqueue(peer.PeerId, _time.GetUtcNow() + delay);
                }

                maxInFlight = Math.Max(maxInFlight, lookup.InFlight);
                Assert.True(events.TryDequeue(out var answering, out var at), "an unfinished lookup has a request in flight");
                _time.SetUtcNow(at);
                if (_dead.Contains(answering))
                {
                    lookup.OnFailure(answering);
                }
                else
                {
                    lookup.OnSuccess(answering, _tables[answering].NearestPeers(target, 20).Select(e => e.ToPeerInfo()));
                }
            }

            return (lookup, _time.GetUtcNow() - start, maxInFlight);
        }
    }
}
