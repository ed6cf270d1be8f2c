namespace Quids.Network.Protocols.Kad;

/// <summary>
/// Values stored for the DHT (PUT_VALUE / GET_VALUE), bounded in count, key and value size, each living
/// for the record TTL after its last put. No I/O, thread-safe.
/// </summary>
internal sealed class KadRecordStore(KadOptions options, TimeProvider time)
{
    private readonly Dictionary<string, Entry> _records = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_records)
            {
                RemoveExpired();
                return _records.Count;
            }
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any previous value.</summary>
    public KadStoreResult Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.IsEmpty || key.Length > options.MaxKeyLength)
        {
            return KadStoreResult.KeyTooLong;
        }

        if (value.Length > options.MaxRecordSize)
        {
            return KadStoreResult.ValueTooLarge;
        }

        string id = Convert.ToBase64String(key);
        var now = time.GetUtcNow();
        lock (_records)
        {
            if (!_records.ContainsKey(id))
            {
                RemoveExpired();
                if (_records.Count >= options.MaxRecords)
                {
                    return KadStoreResult.StoreFull;
                }
            }

            _records[id] = new Entry(value.ToArray(), now, now + options.RecordTtl);
            return KadStoreResult.Stored;
        }
    }

    /// <summary>The live value under <paramref name="key"/> and when we received it.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value, out DateTimeOffset received)
    {
        string id = Convert.ToBase64String(key);
        lock (_records)
        {
            if (_records.TryGetValue(id, out var entry))
            {
                if (entry.ExpiresAt > time.GetUtcNow())
                {
                    value = entry.Value;
                    received = entry.ReceivedAt;
                    return true;
                }

                _records.Remove(id);
            }
        }

        value = [];
        received = default;
        return false;
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (id, entry) in _records)
        {
            if (entry.ExpiresAt <= now)
            {
                _records.Remove(id);
            }
        }
    }

    private sealed record Entry(byte[] Value, DateTimeOffset ReceivedAt, DateTimeOffset ExpiresAt);
}
