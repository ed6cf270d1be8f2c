using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Identify;
using Quids.Network.Protocols.Kad;

namespace Quids.Network;

public sealed partial class P2PNode
{
    /// <summary>
    /// Longest wait for a bootstrap peer's identify answer before the DHT lookups start without it: the answer
    /// is what puts the peer in the routing table, and a loopback or LAN answer takes milliseconds.
    /// </summary>
    private static readonly TimeSpan s_bootstrapIdentifyWait = TimeSpan.FromSeconds(5);

    /// <summary>Bytes of the random key looked up each round, as long as a SHA-256 Kademlia key.</summary>
    private const int RandomLookupKeyBytes = 32;

    private readonly SemaphoreSlim _discovering = new(1, 1);

    /// <summary>The address book, once started; tests seed and inspect it.</summary>
    internal AddressBook? AddressBook => _book;

    /// <summary>
    /// Finds peers and connects to them: connects to the bootstrap peers, runs a DHT lookup of this node's
    /// own id and of a random id (when <see cref="P2PNodeOptions.EnableDht"/>), adds every peer learned to
    /// the address book, then dials peers from the book (recently successful first, spread over network
    /// groups, skipping those in failure backoff) until the node holds
    /// <see cref="P2PNodeOptions.TargetPeerCount"/> connections or no candidate is left. Runs by itself at
    /// start and every <see cref="P2PNodeOptions.DiscoveryInterval"/> while below the target; concurrent
    /// calls run one after the other. Failed dials are logged and recorded in the book, never thrown.
    /// </summary>
    /// <returns>How many peers the node is connected to afterwards.</returns>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    public async Task<int> DiscoverPeersAsync(CancellationToken cancellationToken = default)
    {
        RunningSwarm();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _discovering.WaitAsync(linked.Token);
        try
        {
            await ConnectBootstrapPeersAsync(linked.Token);
            await LookUpPeersAsync(linked.Token);
            int dialed = await DialFromAddressBookAsync(linked.Token);
            NodeLog.DiscoveryFinished(_logger, dialed, Connections.Count, _options.EffectiveTargetPeerCount, _book!.Count);
        }
        finally
        {
            _discovering.Release();
        }

        return Connections.Count;
    }

    /// <summary>Connects the bootstrap peers and feeds their identify answers to the DHT's routing table.</summary>
    private async Task ConnectBootstrapPeersAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_persistent.Values.Select(async address =>
        {
            try
            {
                var connection = await ConnectAsync(address, SourceOf(address), cancellationToken);
                if (_kad is null || connection.Network is not { } network)
                {
                    return;
                }

                // Identify feeds the routing table too, but its event may come after this await resumes.
                var info = await _identify!.GetRemoteInfoAsync(network).WaitAsync(s_bootstrapIdentifyWait, _options.TimeProvider, cancellationToken);
                if (info is not null && KadProtocol.IsServer(info.Protocols))
                {
                    _kad.AddPeer(info.PeerId, info.ListenAddresses);
                }
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Logged by the dial; the keep-connected loop retries with backoff, the book's other peers remain.
            }
        }));
    }

    /// <summary>Two lookups (our own id fills our neighbourhood, a random id reaches further) into the book.</summary>
    private async Task LookUpPeersAsync(CancellationToken cancellationToken)
    {
        if (_kad is null)
        {
            return;
        }

        var learned = new List<KadPeerInfo>();
        try
        {
            learned.AddRange(await _kad.BootstrapAsync(cancellationToken));
            learned.AddRange(await _kad.GetClosestPeersAsync(RandomNumberGenerator.GetBytes(RandomLookupKeyBytes), cancellationToken));
        }
        catch (ObjectDisposedException)
        {
            // The node is stopping; what was learned so far still goes in the book.
        }

        learned.AddRange(_kad.RoutingTablePeers);
        foreach (var peer in learned)
        {
            _book!.Add(peer.PeerId, peer.Addresses, AddressSource.Kad);
        }
    }

    /// <summary>Dials the book's best candidates, a round at a time, until the target is met or none is left.</summary>
    /// <returns>How many peers were dialed successfully.</returns>
    private async Task<int> DialFromAddressBookAsync(CancellationToken cancellationToken)
    {
        var tried = new HashSet<PeerId>();
        int connected = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var live = Connections.Select(c => c.PeerId).OfType<PeerId>().ToHashSet();
            int missing = _options.EffectiveTargetPeerCount - live.Count;
            if (missing <= 0)
            {
                break;
            }

            var candidates = _book!.SelectForDialing(missing, live.Concat(tried));
            if (candidates.Count == 0)
            {
                break;
            }

            tried.UnionWith(candidates.Select(c => c.PeerId));
            var results = await Task.WhenAll(candidates.Select(c => DialFirstReachableAsync(c.DialAddresses, AddressSource.None, cancellationToken)));
            connected += results.Count(ok => ok);
        }

        return connected;
    }

    /// <summary>
    /// Dials <paramref name="addresses"/> in order until one connects; a failed dial (already logged and
    /// recorded in the address book) moves on to the next. Cancellation of the caller propagates.
    /// </summary>
    private async Task<bool> DialFirstReachableAsync(IEnumerable<Multiaddress> addresses, AddressSource source, CancellationToken cancellationToken)
    {
        foreach (var address in addresses)
        {
            try
            {
                await ConnectAsync(address, source, cancellationToken);
                return true;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Logged and recorded by the dial; the next address is tried.
            }
        }

        return false;
    }

    /// <summary>
    /// Runs discovery at start and then every <see cref="P2PNodeOptions.DiscoveryInterval"/> while the node is
    /// below its target, and saves the address book on each tick when it changed.
    /// </summary>
    private async Task DiscoveryLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.DiscoveryInterval, _options.TimeProvider);
        try
        {
            do
            {
                if (Connections.Count < _options.EffectiveTargetPeerCount)
                {
                    try
                    {
                        await DiscoverPeersAsync(cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // The next tick tries again; a timer has no caller to report to.
                        NodeLog.DiscoveryFailed(_logger, e);
                    }
                }

                await SaveAddressBookAsync(force: false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // The node is stopping; StopAsync saves the book.
        }
        catch (InvalidOperationException)
        {
            // The node stopped between the check and the call.
        }
    }

    /// <summary>Records a successful dial: the address joins the book under <paramref name="source"/>, then its success.</summary>
    private void RecordDialSuccess(PeerId peer, Multiaddress address, AddressSource source)
    {
        if (_book is null)
        {
            return;
        }

        if (source != AddressSource.None)
        {
            _book.Add(peer, [address.WithoutPeerId()], source);
        }

        _book.RecordConnected(peer, address);
    }

    /// <summary>
    /// A peer's own listen addresses go in the book (as inbound when it dialed us: its connection's port is
    /// ephemeral, the addresses it announces are not); a connection we made records a success.
    /// </summary>
    private void OnIdentified(NetworkConnection connection, IdentifyInfo info)
    {
        if (_book is null)
        {
            return;
        }

        _book.Add(info.PeerId, info.ListenAddresses, connection.Direction == ConnectionDirection.Inbound ? AddressSource.Inbound : AddressSource.Identify);
        if (connection.Direction == ConnectionDirection.Outbound && connection.RemoteAddress is { } address)
        {
            _book.RecordConnected(info.PeerId, address);
        }
    }

    private AddressBook CreateAddressBook()
    {
        var book = new AddressBook(
            _identity.PeerId,
            new AddressBookOptions { MaxPeersPerGroup = _options.MaxPeersPerAddressGroup },
            _options.TimeProvider,
            _loggerFactory.CreateLogger("Quids.Network.AddressBook"));
        if (_options.AddressBookFile is { } file)
        {
            book.Load(file);
        }

        foreach (var bootstrap in _bootstrap.Values)
        {
            if (bootstrap.GetPeerId() is { } peer)
            {
                book.Add(peer, [bootstrap.WithoutPeerId()], AddressSource.Bootstrap);
            }
        }

        return book;
    }

    /// <summary>Saves the book to the data directory, if any, when it changed (or always, at stop).</summary>
    private async Task SaveAddressBookAsync(bool force)
    {
        if (_book is null || _options.AddressBookFile is not { } file || (!force && !_book.IsDirty))
        {
            return;
        }

        try
        {
            await _book.SaveAsync(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only directory must not stop the node; the next tick tries again.
            NodeLog.AddressBookSaveFailed(_logger, file, e.Message);
        }
    }
}
