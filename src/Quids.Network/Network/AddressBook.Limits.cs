using System.Diagnostics.CodeAnalysis;
using Quids.Network.Core;
using Quids.Network.Diagnostics;

namespace Quids.Network.Network;

/// <summary>Admission: address hygiene and the per-peer, per-group and total limits with addrman-style eviction.</summary>
internal sealed partial class AddressBook
{
    private int AddLocked(PeerId peerId, IEnumerable<Multiaddress> addresses, AddressSource source, DateTimeOffset now)
    {
        if (peerId == _localPeerId)
        {
            AddressBookLog.PeerRejected(_logger, peerId, "it is this node's own peer id");
            return 0;
        }

        _peers.TryGetValue(peerId, out var peer);
        int added = 0;
        bool changed = false;
        foreach (var raw in addresses)
        {
            ArgumentNullException.ThrowIfNull(raw, nameof(addresses));
            string? reason = Normalize(peerId, raw, out var address, out string group);
            if (reason is not null)
            {
                AddressBookLog.AddressRejected(_logger, peerId, raw.ToString(), reason);
                continue;
            }

            int index = peer?.IndexOf(address) ?? -1;
            if (peer is not null && index >= 0)
            {
                var known = peer.Addresses[index];
                if ((known.Sources & source) == 0)
                {
                    peer.Addresses[index] = known with { Sources = known.Sources | source };
                    changed = true;
                }

                continue;
            }

            // Every check before any eviction, so that nothing is evicted for an address refused anyway.
            AddressBookAddress? replaced = null;
            if (peer is not null && peer.Addresses.Count >= _options.MaxAddressesPerPeer && !TryChooseReplaced(peer, address, source, out replaced))
            {
                continue;
            }

            if ((peer is null || !peer.HasGroup(group)) && !MakeRoomInGroup(group, peerId, source, now))
            {
                continue;
            }

            if (peer is null)
            {
                if (!MakeRoomForPeer(peerId, source, now))
                {
                    continue;
                }

                peer = new AddressBookPeerState(peerId, now);
                _peers.Add(peerId, peer);
            }
            else if (replaced is not null)
            {
                AddressBookLog.AddressRejected(_logger, peerId, replaced.Address.ToString(), $"replaced by {address}: the peer is at its limit of {_options.MaxAddressesPerPeer} addresses");
                RemoveAddress(peer, replaced, keepEmptyPeer: true);
            }

            peer.Addresses.Add(new AddressBookAddress(address, source, group, null, 0));
            if (!_groups.TryGetValue(group, out var members))
            {
                _groups[group] = members = [];
            }

            members.Add(peerId);
            added++;
        }

        if (peer is not null && _peers.ContainsKey(peerId))
        {
            peer.Sources |= source;
            peer.LastSeen = now;
            changed = true;
        }

        if (changed || added > 0)
        {
            _changes++;
        }

        return added;
    }

    /// <summary>Strips the trailing /p2p of <paramref name="peerId"/> and checks hygiene; null when acceptable, else the reason.</summary>
    private string? Normalize(PeerId peerId, Multiaddress raw, out Multiaddress address, out string group)
    {
        address = raw.WithoutPeerId();
        group = "";
        if (!ReferenceEquals(address, raw) && raw.GetPeerId() is { } named && named != peerId)
        {
            return $"it names peer {named}, not {peerId}";
        }

        string? reason = AddressBookHygiene.Check(address, _options, out group, out _);
        if (reason is not null)
        {
            return reason;
        }

        return IsOwnAddress(address) ? "it is one of this node's own listen addresses" : null;
    }

    private bool IsOwnAddress(Multiaddress address)
    {
        if (_localAddresses.Contains(address))
        {
            return true;
        }

        if (_unspecifiedLocalPorts.Count == 0 || address.Components.Count < 2)
        {
            return false;
        }

        AddressBookHygiene.Check(address, _options, out _, out var scope);
        return scope == AddressBookHygiene.Scope.Loopback && _unspecifiedLocalPorts.Contains(address.Components[1].ToString());
    }

    private bool MakeRoomInGroup(string group, PeerId newcomer, AddressSource source, DateTimeOffset now)
    {
        if (!_groups.TryGetValue(group, out var members) || members.Count < _options.MaxPeersPerGroup)
        {
            return true;
        }

        return Evict(members.Where(p => p != newcomer).Select(p => _peers[p]), newcomer, source, now, $"network group {group} is full ({_options.MaxPeersPerGroup} peers)");
    }

    private bool MakeRoomForPeer(PeerId newcomer, AddressSource source, DateTimeOffset now) =>
        _peers.Count < _options.MaxPeers ||
        Evict(_peers.Values, newcomer, source, now, $"the book is full ({_options.MaxPeers} peers)");

    /// <summary>
    /// Makes room by evicting the worst peer among <paramref name="candidates"/>, but only one that is
    /// "terrible" (addrman's rule: stale, never connected and failed, or failing long after its last success),
    /// unless the newcomer comes from the operator. Otherwise the newcomer is refused: an attacker cannot flush
    /// good or merely untried entries by flooding us with fresh ones.
    /// </summary>
    private bool Evict(IEnumerable<AddressBookPeerState> candidates, PeerId newcomer, AddressSource source, DateTimeOffset now, string why)
    {
        // One pass rather than a sort: this runs for every newcomer while the book is full.
        AddressBookPeerState? victim = null;
        foreach (var candidate in candidates)
        {
            if ((candidate.Sources & ProtectedSources) == 0 && (victim is null || IsWorse(candidate, victim, now)))
            {
                victim = candidate;
            }
        }

        if (victim is null || (!IsTerrible(victim, now) && (source & ProtectedSources) == 0))
        {
            AddressBookLog.PeerRejected(_logger, newcomer, why + " and no entry is bad enough to evict");
            return false;
        }

        AddressBookLog.PeerEvicted(_logger, victim.PeerId, why, victim.Failures, victim.LastConnected is not null);
        RemovePeer(victim.PeerId);
        return true;
    }

    /// <summary>Eviction order: terrible first, then never connected, then most failures, then least recently seen.</summary>
    private bool IsWorse(AddressBookPeerState a, AddressBookPeerState b, DateTimeOffset now)
    {
        bool aTerrible = IsTerrible(a, now);
        if (aTerrible != IsTerrible(b, now))
        {
            return aTerrible;
        }

        if ((a.LastConnected is null) != (b.LastConnected is null))
        {
            return a.LastConnected is null;
        }

        return a.Failures != b.Failures ? a.Failures > b.Failures : a.LastSeen < b.LastSeen;
    }

    private bool IsTerrible(AddressBookPeerState peer, DateTimeOffset now) =>
        now - peer.LastSeen > _options.StaleAfter ||
        (peer.LastConnected is null && peer.Failures > 0) ||
        peer.Failures >= _options.MaxFailuresAfterSuccess;

    /// <summary>Chooses the peer's worst address to replace: only one that never worked and has failed, unless the source is the operator.</summary>
    private bool TryChooseReplaced(AddressBookPeerState peer, Multiaddress address, AddressSource source, [NotNullWhen(true)] out AddressBookAddress? replaced)
    {
        replaced = peer.Ranked().Last();
        if ((replaced.LastConnected is null && replaced.Failures > 0 && (replaced.Sources & ProtectedSources) == 0) || (source & ProtectedSources) != 0)
        {
            return true;
        }

        AddressBookLog.AddressRejected(_logger, peer.PeerId, address.ToString(), $"the peer already has {_options.MaxAddressesPerPeer} addresses and none is a failing one that never worked");
        replaced = null;
        return false;
    }
}
