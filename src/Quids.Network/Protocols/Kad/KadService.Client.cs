using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad.Wire;
using MessageType = Quids.Network.Protocols.Kad.Wire.KadMessage.Types.MessageType;

namespace Quids.Network.Protocols.Kad;

internal sealed partial class KadService
{
    /// <summary>Looks up our own id: fills the table with our neighbourhood (the spec's bootstrap).</summary>
    public Task<IReadOnlyList<KadPeerInfo>> BootstrapAsync(CancellationToken cancellationToken = default) =>
        GetClosestPeersAsync(_swarm.LocalPeerId.Bytes.ToArray(), cancellationToken);

    /// <summary>The k peers closest to <paramref name="key"/> that answered, closest first (iterative FIND_NODE).</summary>
    public async Task<IReadOnlyList<KadPeerInfo>> GetClosestPeersAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        var lookup = await RunLookupAsync(NewRequest(MessageType.FindNode, key.Span), null, cancellationToken);
        return lookup.ClosestPeers;
    }

    /// <summary>
    /// Finds the addresses of <paramref name="peer"/>: from the table or a live connection, else by a lookup
    /// that stops as soon as an answer carries the peer with addresses. Null when not found.
    /// </summary>
    public async Task<KadPeerInfo?> FindPeerAsync(PeerId peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer == _swarm.LocalPeerId)
        {
            return new KadPeerInfo(peer, _swarm.ListenAddresses);
        }

        lock (_table)
        {
            if (_table.Find(peer) is { Addresses.Count: > 0 } entry)
            {
                return entry.ToPeerInfo();
            }
        }

        KadPeerInfo? found = null;
        var lookup = await RunLookupAsync(NewRequest(MessageType.FindNode, peer.Bytes.Span), (_, response) =>
        {
            found = KadProtocol.FromWire(response.CloserPeers).FirstOrDefault(p => p.PeerId == peer && p.Addresses.Count > 0);
            return found is not null;
        }, cancellationToken);
        if (found is not null)
        {
            return found with { Addresses = FilterAddresses(peer, found.Addresses) };
        }

        return lookup.Find(peer) is { Addresses.Count: > 0 } known ? known : null;
    }

    /// <summary>Stores the value here and on the k closest peers; returns how many peers accepted it.</summary>
    /// <exception cref="KadException">The key or value is above its limit.</exception>
    public async Task<int> PutValueAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        var local = Records.Put(key.Span, value.Span);
        if (local == KadStoreResult.ValueTooLarge)
        {
            throw new KadException(KadFailure.LimitExceeded, $"kad: the value is {value.Length} bytes; the limit is {_options.MaxRecordSize}.");
        }

        var request = NewRequest(MessageType.PutValue, key.Span);
        request.Record = new Wire.KadRecord { Key = request.Key, Value = ByteString.CopyFrom(value.Span) };
        var closest = await GetClosestPeersAsync(key, cancellationToken);
        var answers = await Task.WhenAll(closest.Select(p => QueryAsync(p, request, true, cancellationToken)));
        return answers.Count(a => a is not null);
    }

    /// <summary>The value under <paramref name="key"/>: ours if stored here, else the first found by a lookup; null if none.</summary>
    public async Task<byte[]?> GetValueAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        if (Records.TryGet(key.Span, out byte[] local, out _))
        {
            return local;
        }

        byte[]? found = null;
        await RunLookupAsync(NewRequest(MessageType.GetValue, key.Span), (_, response) =>
        {
            if (response.Record is { } record && record.Key.Span.SequenceEqual(key.Span) && record.Value.Length <= _options.MaxRecordSize)
            {
                found = record.Value.ToByteArray();
            }

            return found is not null;
        }, cancellationToken);
        return found;
    }

    /// <summary>Announces that we provide <paramref name="key"/>: here and to the k closest peers; returns how many were told.</summary>
    public async Task<int> ProvideAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        var self = new KadPeerInfo(_swarm.LocalPeerId, _swarm.ListenAddresses);
        Providers.Add(key.Span, self);
        var request = NewRequest(MessageType.AddProvider, key.Span);
        request.ProviderPeers.Add(KadProtocol.ToWire(self, connected: true));
        var closest = await GetClosestPeersAsync(key, cancellationToken);
        var sent = await Task.WhenAll(closest.Select(p => QueryAsync(p, request, false, cancellationToken)));
        return sent.Count(a => a is not null);
    }

    /// <summary>Up to <paramref name="maxCount"/> providers of <paramref name="key"/>: ours, then those a lookup finds.</summary>
    public async Task<IReadOnlyList<KadPeerInfo>> FindProvidersAsync(ReadOnlyMemory<byte> key, int maxCount = 20, CancellationToken cancellationToken = default)
    {
        CheckKey(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var found = new Dictionary<PeerId, KadPeerInfo>();
        foreach (var provider in Providers.Get(key.Span).Take(maxCount))
        {
            found[provider.PeerId] = provider;
        }

        if (found.Count >= maxCount)
        {
            return [.. found.Values];
        }

        await RunLookupAsync(NewRequest(MessageType.GetProviders, key.Span), (_, response) =>
        {
            foreach (var provider in KadProtocol.FromWire(response.ProviderPeers))
            {
                if (found.Count < maxCount && !found.ContainsKey(provider.PeerId))
                {
                    found[provider.PeerId] = provider with { Addresses = FilterAddresses(provider.PeerId, provider.Addresses) };
                }
            }

            return found.Count >= maxCount;
        }, cancellationToken);
        return [.. found.Values];
    }

    private void CheckKey(ReadOnlyMemory<byte> key)
    {
        if (key.IsEmpty || key.Length > _options.MaxKeyLength)
        {
            throw new KadException(KadFailure.LimitExceeded, $"kad: a key has 1 to {_options.MaxKeyLength} bytes, not {key.Length}.");
        }
    }
}
