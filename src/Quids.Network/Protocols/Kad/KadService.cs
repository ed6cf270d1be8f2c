using Microsoft.Extensions.Logging;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Identify;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// <c>/ipfs/kad/1.0.0</c> on a node (DHT server mode): serves FIND_NODE, GET_VALUE/PUT_VALUE,
/// ADD_PROVIDER/GET_PROVIDERS and PING; runs lookups over the swarm; keeps the routing table fed by identify
/// (peers that advertise the DHT protocol) and by peers that answer our queries, and refreshes it on a timer.
/// </summary>
internal sealed partial class KadService : IAsyncDisposable
{
    private readonly Swarm _swarm;
    private readonly IdentifyService _identify;
    private readonly KadOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly KadRoutingTable _table;
    private readonly KadRequestLimiter _limiter;
    private readonly Dictionary<PeerId, int> _inboundStreams = [];
    private readonly HashSet<PeerId> _pinging = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer? _refreshTimer;
    private int _refreshing;
    private int _disposed;

    /// <param name="swarm">The connection layer; the service registers its stream handler there.</param>
    /// <param name="identify">Identify on the same swarm: its answers feed the routing table.</param>
    /// <param name="options">DHT settings; validated here. Defaults to <see cref="KadOptions"/>'s defaults.</param>
    public KadService(Swarm swarm, IdentifyService identify, KadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(swarm);
        ArgumentNullException.ThrowIfNull(identify);
        _options = options ?? new KadOptions();
        _options.Validate();
        _swarm = swarm;
        _identify = identify;
        _time = swarm.Options.TimeProvider;
        _logger = swarm.Logger;
        _table = new KadRoutingTable(swarm.LocalPeerId, _time, _options.BucketSize, _options.RefreshInterval);
        _limiter = new KadRequestLimiter(_options.MaxRequestsPerPeerPerSecond, _time);
        Records = new KadRecordStore(_options, _time);
        Providers = new KadProviderStore(_options, _time);
        swarm.SetStreamHandler(KadProtocol.Id, HandleStreamAsync);
        identify.Identified += OnIdentified;
        if (_options.RefreshInterval != Timeout.InfiniteTimeSpan)
        {
            _refreshTimer = _time.CreateTimer(_ => _ = RefreshAsync(), null, _options.RefreshInterval, _options.RefreshInterval);
        }
    }

    public KadOptions Options => _options;

    /// <summary>Values stored here for the DHT.</summary>
    public KadRecordStore Records { get; }

    /// <summary>Provider records stored here for the DHT.</summary>
    public KadProviderStore Providers { get; }

    /// <summary>Peers in the routing table.</summary>
    public int RoutingTableSize
    {
        get
        {
            lock (_table)
            {
                return _table.Count;
            }
        }
    }

    /// <summary>A snapshot of the routing table's peers with their addresses.</summary>
    public IReadOnlyList<KadPeerInfo> RoutingTablePeers
    {
        get
        {
            lock (_table)
            {
                return [.. _table.Peers.Select(e => e.ToPeerInfo())];
            }
        }
    }

    /// <summary>
    /// Adds a peer known to serve the DHT (a bootstrap peer) with its addresses, as if identify had reported it.
    /// </summary>
    public KadAddResult AddPeer(PeerId peer, IReadOnlyList<Multiaddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(addresses);
        return AddToTable(peer, FilterAddresses(peer, addresses));
    }

    /// <summary>Runs a refresh now: a lookup of our own id, then of a random key in every bucket due.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            await BootstrapAsync(linked.Token);
            List<int> due;
            lock (_table)
            {
                due = _table.BucketsDueForRefresh();
            }

            foreach (int bucket in due)
            {
                await GetClosestPeersAsync(KadKey.RandomPreimageInBucket(_table.LocalKey, bucket), linked.Token);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The timer's refresh has no caller to report to; a failure is retried at the next tick.
            KadLog.RefreshFailed(_logger, e.Message);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_refreshTimer is not null)
        {
            await _refreshTimer.DisposeAsync();
        }

        _swarm.RemoveStreamHandler(KadProtocol.Id);
        _identify.Identified -= OnIdentified;

        // Cancelled, not disposed: lookups and pings still running link to its token while they unwind.
        await _stopping.CancelAsync();
    }

    private void OnIdentified(NetworkConnection connection, IdentifyInfo info)
    {
        var peer = info.PeerId;
        if (!KadProtocol.IsServer(info.Protocols))
        {
            lock (_table)
            {
                if (_table.Find(peer) is not null)
                {
                    // It stopped serving the DHT (identify push): queries to it would only fail.
                    _table.Remove(peer);
                }
            }

            KadLog.NotAServer(_logger, peer);
            return;
        }

        AddToTable(peer, FilterAddresses(peer, info.ListenAddresses));
    }

    private KadAddResult AddToTable(PeerId peer, IReadOnlyList<Multiaddress> addresses)
    {
        KadAddResult result;
        KadTableEntry? candidate = null;
        int count;
        lock (_table)
        {
            result = _table.AddOrUpdate(peer, addresses);
            if (result == KadAddResult.BucketFull)
            {
                candidate = _table.PingCandidate(peer);
            }

            count = _table.Count;
        }

        if (result is KadAddResult.Added or KadAddResult.BucketFull)
        {
            KadLog.PeerAdded(_logger, peer, result.ToString(), count);
        }

        if (candidate is not null)
        {
            _ = CheckPingCandidateAsync(candidate);
        }

        return result;
    }

    /// <summary>
    /// The spec's rule for a full bucket: the least recently seen peer stays if it is alive (connected, or
    /// answers a PING), else it is evicted and the freshest replacement takes its place.
    /// </summary>
    private async Task CheckPingCandidateAsync(KadTableEntry candidate)
    {
        lock (_pinging)
        {
            if (!_pinging.Add(candidate.PeerId))
            {
                return;
            }
        }

        try
        {
            bool alive = _swarm.FindConnection(candidate.PeerId) is not null
                || await QueryAsync(candidate.ToPeerInfo(), NewRequest(Wire.KadMessage.Types.MessageType.Ping, []), true, _stopping.Token) is not null;
            lock (_table)
            {
                if (alive)
                {
                    _table.AddOrUpdate(candidate.PeerId, []);
                    return;
                }

                var promoted = _table.Remove(candidate.PeerId);
                KadLog.PeerRemoved(_logger, candidate.PeerId, $"it did not answer a ping; replaced by {promoted?.PeerId.ToString() ?? "nobody"}");
            }
        }
        catch (ObjectDisposedException)
        {
            // The service stopped while pinging; the table goes away with it.
        }
        finally
        {
            lock (_pinging)
            {
                _pinging.Remove(candidate.PeerId);
            }
        }
    }

    private List<Multiaddress> FilterAddresses(PeerId peer, IEnumerable<Multiaddress> addresses) =>
        KadAddressFilter.Filter(
            addresses,
            peer,
            [.. _swarm.ListenAddresses],
            _options.AllowPrivateAddresses,
            (address, reason) => KadLog.AddressRejected(_logger, peer, address.ToString(), reason));
}
