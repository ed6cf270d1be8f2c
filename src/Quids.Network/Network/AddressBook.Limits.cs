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
            else if (peer.Addresses.Count >= _options.MaxAddressesPerPeer && !MakeRoomInPeer(peer, address, source))
            {
                continue;
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
        var victim = candidates
            .Where(p => (p.Sources & ProtectedSources) == 0)
            .OrderByDescending(p => IsTerrible(p, now))
            .ThenBy(p => p.LastConnected is not null)
            .ThenByDescending(p => p.Failures)
            .ThenBy(p => p.LastSeen)
            .FirstOrDefault();
        if (victim is null || (!IsTerrible(victim, now) && (source & ProtectedSources) == 0))
        {
            AddressBookLog.PeerRejected(_logger, newcomer, why + " and no entry is bad enough to evict");
            return false;
        }

        AddressBookLog.PeerEvicted(_logger, victim.PeerId, why, victim.Failures, victim.LastConnected is not null);
        RemovePeer(victim.PeerId);
        return true;
    }

    private bool IsTerrible(AddressBookPeerState peer, DateTimeOffset now) =>
        now - peer.LastSeen > _options.StaleAfter ||
        (peer.LastConnected is null && peer.Failures > 0) ||
        peer.Failures >= _options.MaxFailuresAfterSuccess;

    /// <summary>Replaces the peer's worst address if it has never worked and has failed (or the source is the operator).</summary>
    private bool MakeRoomInPeer(AddressBookPeerState peer, Multiaddress address, AddressSource source)
    {
        var worst = peer.Ranked().Last();
        if ((worst.LastConnected is not null || worst.Failures == 0 || (worst.Sources & ProtectedSources) != 0) && (source & ProtectedSources) == 0)
        {
            AddressBookLog.AddressRejected(_logger, peer.PeerId, address.ToString(), $"the peer already has {_options.MaxAddressesPerPeer} addresses and none has failed");
            return false;
        }

        AddressBookLog.AddressRejected(_logger, peer.PeerId, worst.Address.ToString(), $"replaced by {address}: the peer is at its limit of {_options.MaxAddressesPerPeer} addresses");
        RemoveAddress(peer, worst, keepEmptyPeer: true);
        return true;
    }
}
