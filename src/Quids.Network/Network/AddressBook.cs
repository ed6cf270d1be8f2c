using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quids.Network.Core;
using Quids.Network.Diagnostics;

namespace Quids.Network.Network;

/// <summary>
/// Every peer the node has learned (bootstrap, identify, Kademlia, mDNS, inbound, manual) with its addresses,
/// when it was last seen, last connected and how often dialing it failed. Bounded per peer, per network group
/// and in total so that no single network can fill it (Bitcoin Core's addrman is the model); persisted with
/// <see cref="SaveAsync"/> and <see cref="Load"/>. Thread-safe: one lock, every operation O(peers) at worst.
/// </summary>
/// <remarks>
/// Addresses are stored without their trailing <c>/p2p/</c> component (an address naming another peer is
/// rejected); <see cref="AddressBookEntry.DialAddresses"/> gives them back with it. Saving is the owner's job
/// (on a timer or at stop, when <see cref="IsDirty"/>).
/// </remarks>
internal sealed partial class AddressBook
{
    /// <summary>Sources an operator configured: their entries are never evicted to make room for others.</summary>
    public const AddressSource ProtectedSources = AddressSource.Bootstrap | AddressSource.Manual;

    private readonly Lock _lock = new();
    private readonly Dictionary<PeerId, AddressBookPeerState> _peers = [];
    private readonly Dictionary<string, HashSet<PeerId>> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<Multiaddress> _localAddresses = [];
    private readonly HashSet<string> _unspecifiedLocalPorts = new(StringComparer.Ordinal);
    private readonly PeerId _localPeerId;
    private readonly AddressBookOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Random _random;
    private long _changes;
    private long _savedChanges;

    /// <summary>Creates an empty book for the node <paramref name="localPeerId"/>.</summary>
    /// <param name="localPeerId">This node's id: never stored, never selected.</param>
    /// <param name="options">Limits and policy; validated here. Defaults to <see cref="AddressBookOptions"/>' defaults.</param>
    /// <param name="timeProvider">The clock. Defaults to the system clock.</param>
    /// <param name="logger">Where rejections, evictions and load problems are logged.</param>
    /// <param name="random">Breaks ties in dialing selection; tests pass a seeded one. Defaults to <see cref="Random.Shared"/>.</param>
    public AddressBook(PeerId localPeerId, AddressBookOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(localPeerId);
        _options = options ?? new AddressBookOptions();
        _options.Validate();
        _localPeerId = localPeerId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? Random.Shared;
    }

    /// <summary>Number of peers held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>True when the book changed since the last successful <see cref="SaveAsync"/> (or a clean <see cref="Load"/>).</summary>
    public bool IsDirty
    {
        get
        {
            lock (_lock)
            {
                return _changes != _savedChanges;
            }
        }
    }

    /// <summary>A snapshot of every peer.</summary>
    public IReadOnlyList<AddressBookEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                var now = _timeProvider.GetUtcNow();
                return [.. _peers.Values.Select(p => p.ToEntry(RetryAfter(p, now)))];
            }
        }
    }

    /// <summary>Marks the book as changed, so the owner's next save writes it.</summary>
    public void MarkDirty()
    {
        lock (_lock)
        {
            _changes++;
        }
    }

    /// <summary>
    /// Sets this node's own listen addresses (after expansion): they are never stored, and any stored copy is
    /// removed. A loopback address on the port of an unspecified listen address (0.0.0.0, ::) is also ours.
    /// </summary>
    public void SetLocalAddresses(IEnumerable<Multiaddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        lock (_lock)
        {
            _localAddresses.Clear();
            _unspecifiedLocalPorts.Clear();
            foreach (var address in addresses)
            {
                var bare = address.WithoutPeerId();
                _localAddresses.Add(bare);
                if (bare.Components.Count >= 2 && bare.Components[0].Value is "0.0.0.0" or "::")
                {
                    _unspecifiedLocalPorts.Add(bare.Components[1].ToString());
                }
            }

            foreach (var peer in _peers.Values.ToList())
            {
                foreach (var address in peer.Addresses.Where(a => IsOwnAddress(a.Address)).ToList())
                {
                    AddressBookLog.AddressRejected(_logger, peer.PeerId, address.Address.ToString(), "it is one of this node's own listen addresses");
                    RemoveAddress(peer, address);
                }
            }
        }
    }

    /// <summary>
    /// Adds or merges <paramref name="addresses"/> of <paramref name="peerId"/> reported by
    /// <paramref name="source"/>. Each unacceptable address is skipped with a logged reason; limits may evict a
    /// worse peer or address, or refuse the new one. A peer with no acceptable address is not stored.
    /// </summary>
    /// <returns>How many addresses were new to the book.</returns>
    public int Add(PeerId peerId, IEnumerable<Multiaddress> addresses, AddressSource source)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        ArgumentNullException.ThrowIfNull(addresses);
        if (source == AddressSource.None || (source & (source - 1)) != 0 || !Enum.IsDefined(source))
        {
            throw new ArgumentException($"Exactly one address source is required, not '{source}'.", nameof(source));
        }

        lock (_lock)
        {
            return AddLocked(peerId, addresses, source, _timeProvider.GetUtcNow());
        }
    }

    /// <summary>Records that <paramref name="peerId"/> is alive (seen in a DHT answer, a message, ...).</summary>
    /// <returns>False if the peer is not in the book.</returns>
    public bool RecordSeen(PeerId peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var peer))
            {
                return false;
            }

            peer.LastSeen = _timeProvider.GetUtcNow();
            _changes++;
            return true;
        }
    }

    /// <summary>Records a successful connection to <paramref name="peerId"/> over <paramref name="address"/>: clears its failures.</summary>
    /// <returns>False if the peer is not in the book.</returns>
    public bool RecordConnected(PeerId peerId, Multiaddress address)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var peer))
            {
                return false;
            }

            var now = _timeProvider.GetUtcNow();
            peer.LastSeen = now;
            peer.LastConnected = now;
            peer.Failures = 0;
            peer.LastFailure = null;
            int index = peer.IndexOf(address.WithoutPeerId());
            if (index >= 0)
            {
                peer.Addresses[index] = peer.Addresses[index] with { LastConnected = now, Failures = 0 };
            }

            _changes++;
            return true;
        }
    }

    /// <summary>Records a failed dial of <paramref name="peerId"/> at <paramref name="address"/>: starts or lengthens its backoff.</summary>
    /// <returns>False if the peer is not in the book.</returns>
    public bool RecordFailure(PeerId peerId, Multiaddress address)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var peer))
            {
                return false;
            }

            peer.Failures = peer.Failures == int.MaxValue ? int.MaxValue : peer.Failures + 1;
            peer.LastFailure = _timeProvider.GetUtcNow();
            int index = peer.IndexOf(address.WithoutPeerId());
            if (index >= 0 && peer.Addresses[index].Failures < int.MaxValue)
            {
                peer.Addresses[index] = peer.Addresses[index] with { Failures = peer.Addresses[index].Failures + 1 };
            }

            _changes++;
            return true;
        }
    }

    /// <summary>Forgets <paramref name="peerId"/>.</summary>
    /// <returns>False if the peer was not in the book.</returns>
    public bool Remove(PeerId peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        lock (_lock)
        {
            return RemovePeer(peerId);
        }
    }

    /// <summary>A snapshot of <paramref name="peerId"/>, or null if it is not in the book.</summary>
    public AddressBookEntry? Get(PeerId peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        lock (_lock)
        {
            return _peers.TryGetValue(peerId, out var peer) ? peer.ToEntry(RetryAfter(peer, _timeProvider.GetUtcNow())) : null;
        }
    }

    private DateTimeOffset? RetryAfter(AddressBookPeerState peer, DateTimeOffset now)
    {
        if (peer.Failures == 0 || peer.LastFailure is not { } last)
        {
            return null;
        }

        // Capped at 2^20 doublings so the multiplication cannot overflow; MaxFailureBackoff is far below anyway.
        int doublings = Math.Min(peer.Failures - 1, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(_options.FailureBackoff.Ticks * (1L << doublings), _options.MaxFailureBackoff.Ticks));
        var until = last + backoff;
        return until > now ? until : null;
    }

    private bool RemovePeer(PeerId peerId)
    {
        if (!_peers.Remove(peerId, out var peer))
        {
            return false;
        }

        foreach (string group in peer.Addresses.Select(a => a.Group).Distinct())
        {
            RemoveFromGroup(group, peerId);
        }

        _changes++;
        return true;
    }

    private void RemoveAddress(AddressBookPeerState peer, AddressBookAddress address, bool keepEmptyPeer = false)
    {
        peer.Addresses.Remove(address);
        if (!peer.HasGroup(address.Group))
        {
            RemoveFromGroup(address.Group, peer.PeerId);
        }

        if (peer.Addresses.Count == 0 && !keepEmptyPeer)
        {
            _peers.Remove(peer.PeerId);
        }

        _changes++;
    }

    private void RemoveFromGroup(string group, PeerId peerId)
    {
        if (_groups.TryGetValue(group, out var members) && members.Remove(peerId) && members.Count == 0)
        {
            _groups.Remove(group);
        }
    }
}
