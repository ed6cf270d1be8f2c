using Quids.Network.Core;

namespace Quids.Network.Protocols.Kad;

/// <summary>
/// Provider records (ADD_PROVIDER / GET_PROVIDERS): for each key, the peers that said they have its content,
/// each for the provider TTL after its last announcement; bounded per key and in keys. No I/O, thread-safe.
/// </summary>
internal sealed class KadProviderStore(KadOptions options, TimeProvider time)
{
    private readonly Dictionary<string, List<Entry>> _providers = new(StringComparer.Ordinal);

    /// <summary>Keys with at least one live provider.</summary>
    public int KeyCount
    {
        get
        {
            lock (_providers)
            {
                RemoveExpired();
                return _providers.Count;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="provider"/> for <paramref name="key"/> (refreshing it if known). A key at its
    /// provider limit drops its oldest announcement: live providers re-announce, stale ones do not.
    /// </summary>
    public KadStoreResult Add(ReadOnlySpan<byte> key, KadPeerInfo provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (key.IsEmpty || key.Length > options.MaxKeyLength)
        {
            return KadStoreResult.KeyTooLong;
        }

        string id = Convert.ToBase64String(key);
        var now = time.GetUtcNow();
        lock (_providers)
        {
            if (!_providers.TryGetValue(id, out var list))
            {
                RemoveExpired();
                if (_providers.Count >= options.MaxProviderKeys)
                {
                    return KadStoreResult.StoreFull;
                }

                _providers[id] = list = [];
            }

            list.RemoveAll(e => e.Provider.PeerId == provider.PeerId);
            list.Add(new Entry(provider, now + options.ProviderTtl));
            if (list.Count > options.MaxProvidersPerKey)
            {
                list.RemoveAt(0);
            }

            return KadStoreResult.Stored;
        }
    }

    /// <summary>The live providers of <paramref name="key"/>, most recently announced last.</summary>
    public List<KadPeerInfo> Get(ReadOnlySpan<byte> key)
    {
        string id = Convert.ToBase64String(key);
        var now = time.GetUtcNow();
        lock (_providers)
        {
            if (!_providers.TryGetValue(id, out var list))
            {
                return [];
            }

            list.RemoveAll(e => e.ExpiresAt <= now);
            if (list.Count == 0)
            {
                _providers.Remove(id);
            }

            return [.. list.Select(e => e.Provider)];
        }
    }

    /// <summary>True when <paramref name="peer"/> is a live provider of <paramref name="key"/>.</summary>
    public bool Contains(ReadOnlySpan<byte> key, PeerId peer) => Get(key).Any(p => p.PeerId == peer);

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (id, list) in _providers)
        {
            list.RemoveAll(e => e.ExpiresAt <= now);
            if (list.Count == 0)
            {
                _providers.Remove(id);
            }
        }
    }

    private sealed record Entry(KadPeerInfo Provider, DateTimeOffset ExpiresAt);
}
