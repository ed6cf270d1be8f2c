using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Mdns;

namespace Quids.Network;

public sealed partial class P2PNode
{
    /// <summary>
    /// Shortest time between two dials of one peer found by mDNS: mDNS reports a peer on every answer (every
    /// query interval, from every peer's query), and a peer that refused us once should not be dialed per packet.
    /// </summary>
    private static readonly TimeSpan s_mdnsRedialInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<PeerId, long> _mdnsDialed = new();
    private MdnsService? _mdns;

    /// <summary>
    /// Runs the mDNS start (which opens its sockets synchronously, on the calling thread); tests replace it to
    /// open them inside a private network namespace, where multicast on loopback works.
    /// </summary>
    internal Func<Func<Task>, Task> MdnsStartRunner { get; set; } = static start => start();

    /// <summary>True while mDNS discovery runs (enabled and started on a multicast-capable interface).</summary>
    public bool IsMdnsRunning => _mdns is not null;

    /// <summary>Starts mDNS after listening; a host without a multicast interface gets a warning, not a failure.</summary>
    private async Task StartMdnsAsync(CancellationToken cancellationToken)
    {
        if (!_options.EnableMdns)
        {
            return;
        }

        var mdns = new MdnsService(
            PeerId,
            () => _swarm?.ListenAddresses ?? [],
            _options.Mdns,
            _options.TimeProvider,
            _loggerFactory.CreateLogger("Quids.Network.Mdns"));
        mdns.PeerDiscovered += OnMdnsPeerDiscovered;
        try
        {
            await MdnsStartRunner(() => mdns.StartAsync(cancellationToken));
            _mdns = mdns;
        }
        catch (Exception e) when (e is MdnsException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            mdns.PeerDiscovered -= OnMdnsPeerDiscovered;
            await mdns.DisposeAsync();
            NodeLog.MdnsUnavailable(_logger, e.Message);
        }
    }

    private async Task StopMdnsAsync()
    {
        if (Interlocked.Exchange(ref _mdns, null) is { } mdns)
        {
            mdns.PeerDiscovered -= OnMdnsPeerDiscovered;
            await mdns.DisposeAsync();
        }
    }

    /// <summary>
    /// A peer on the link answered: it goes in the book, and is dialed unless the node is at its target, already
    /// connected to it, or dialed it less than <see cref="s_mdnsRedialInterval"/> ago.
    /// </summary>
    private void OnMdnsPeerDiscovered(PeerId peer, IReadOnlyList<Multiaddress> addresses)
    {
        if (!IsRunning || _book is null || addresses.Count == 0)
        {
            return;
        }

        _book.Add(peer, addresses, AddressSource.Mdns);
        var live = Connections;
        if (live.Count >= _options.EffectiveTargetPeerCount || live.Any(c => peer.Equals(c.PeerId)))
        {
            return;
        }

        long now = _options.TimeProvider.GetTimestamp();
        bool due = false;
        _mdnsDialed.AddOrUpdate(
            peer,
            _ => { due = true; return now; },
            (_, last) =>
            {
                due = _options.TimeProvider.GetElapsedTime(last, now) >= s_mdnsRedialInterval;
                return due ? now : last;
            });
        if (!due)
        {
            return;
        }

        NodeLog.MdnsPeerFound(_logger, peer, addresses.Count);
        lock (_background)
        {
            // Finished dials leave the list, so a long-lived node on a busy link does not accumulate them.
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(Task.Run(() => DialMdnsPeerAsync(peer, addresses, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Tries the peer's announced addresses in order until one connects; failures are logged by the dial.</summary>
    private async Task DialMdnsPeerAsync(PeerId peer, IReadOnlyList<Multiaddress> addresses, CancellationToken cancellationToken)
    {
        try
        {
            await DialFirstReachableAsync(addresses.Select(a => a.WithPeerId(peer)), AddressSource.Mdns, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }
}
