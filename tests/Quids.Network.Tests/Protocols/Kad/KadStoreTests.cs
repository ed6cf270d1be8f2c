using Microsoft.Extensions.Time.Testing;
using Quids.Network.Protocols.Kad;

namespace Quids.Network.Tests.Protocols.Kad;

public class KadStoreTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Stores_and_returns_a_value_until_its_ttl_runs_out()
    {
        var store = new KadRecordStore(new KadOptions { RecordTtl = TimeSpan.FromHours(36) }, _time);

        Assert.Equal(KadStoreResult.Stored, store.Put("k"u8, "v"u8));
        _time.Advance(TimeSpan.FromHours(35));
        Assert.True(store.TryGet("k"u8, out var value, out _));
        Assert.Equal("v"u8.ToArray(), value);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(store.TryGet("k"u8, out _, out _));
    }

    [Fact]
    public void A_new_put_replaces_the_value_and_restarts_its_ttl()
    {
        var store = new KadRecordStore(new KadOptions { RecordTtl = TimeSpan.FromHours(1) }, _time);
        store.Put("k"u8, "old"u8);
        _time.Advance(TimeSpan.FromMinutes(50));
        store.Put("k"u8, "new"u8);
        _time.Advance(TimeSpan.FromMinutes(50));

        Assert.True(store.TryGet("k"u8, out var value, out _));
        Assert.Equal("new"u8.ToArray(), value);
    }

    [Fact]
    public void Refuses_values_above_the_record_size_limit_and_keys_above_the_key_limit()
    {
        var store = new KadRecordStore(new KadOptions { MaxRecordSize = 16 * 1024, MaxKeyLength = 256 }, _time);

        Assert.Equal(KadStoreResult.Stored, store.Put("k"u8, new byte[16 * 1024]));
        Assert.Equal(KadStoreResult.ValueTooLarge, store.Put("k2"u8, new byte[(16 * 1024) + 1]));
        Assert.Equal(KadStoreResult.KeyTooLong, store.Put(new byte[257], "v"u8));
        Assert.Equal(KadStoreResult.KeyTooLong, store.Put([], "v"u8));
    }

    [Fact]
    public void Refuses_new_keys_when_full_until_records_expire()
    {
        var store = new KadRecordStore(new KadOptions { MaxRecords = 2, RecordTtl = TimeSpan.FromHours(1) }, _time);
        store.Put("a"u8, "1"u8);
        store.Put("b"u8, "2"u8);

        Assert.Equal(KadStoreResult.StoreFull, store.Put("c"u8, "3"u8));
        Assert.Equal(KadStoreResult.Stored, store.Put("a"u8, "updated"u8)); // an existing key may still be updated

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(KadStoreResult.Stored, store.Put("c"u8, "3"u8));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Keeps_providers_for_their_ttl()
    {
        var store = new KadProviderStore(new KadOptions { ProviderTtl = TimeSpan.FromHours(48) }, _time);
        var provider = KadTestPeers.Info(KadTestPeers.Random());
        store.Add("cid"u8, provider);

        _time.Advance(TimeSpan.FromHours(47));
        Assert.True(store.Contains("cid"u8, provider.PeerId));

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(store.Get("cid"u8));
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void Drops_the_oldest_announcement_when_a_key_has_its_maximum_of_providers()
    {
        var store = new KadProviderStore(new KadOptions { MaxProvidersPerKey = 3 }, _time);
        var providers = Enumerable.Range(0, 4).Select(_ => KadTestPeers.Info(KadTestPeers.Random())).ToList();
        foreach (var provider in providers)
        {
            store.Add("cid"u8, provider);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(providers.Skip(1).Select(p => p.PeerId), store.Get("cid"u8).Select(p => p.PeerId));
    }

    [Fact]
    public void A_re_announcement_refreshes_a_provider_instead_of_duplicating_it()
    {
        var store = new KadProviderStore(new KadOptions { ProviderTtl = TimeSpan.FromHours(2) }, _time);
        var provider = KadTestPeers.Info(KadTestPeers.Random());
        store.Add("cid"u8, provider);
        _time.Advance(TimeSpan.FromHours(1.5));
        store.Add("cid"u8, provider);
        _time.Advance(TimeSpan.FromHours(1.5));

        Assert.Single(store.Get("cid"u8));
    }

    [Fact]
    public void Refuses_provider_keys_beyond_the_key_limit()
    {
        var store = new KadProviderStore(new KadOptions { MaxProviderKeys = 1 }, _time);
        var provider = KadTestPeers.Info(KadTestPeers.Random());

        Assert.Equal(KadStoreResult.Stored, store.Add("a"u8, provider));
        Assert.Equal(KadStoreResult.StoreFull, store.Add("b"u8, provider));
        Assert.Equal(KadStoreResult.KeyTooLong, store.Add(new byte[300], provider));
    }

    [Fact]
    public void Limits_each_peer_to_its_request_rate_and_refills_over_time()
    {
        var limiter = new KadRequestLimiter(5, _time);
        var flooder = KadTestPeers.Random();
        var other = KadTestPeers.Random();

        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire(flooder));
        }

        Assert.False(limiter.TryAcquire(flooder));
        Assert.True(limiter.TryAcquire(other));

        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(limiter.TryAcquire(flooder));
        Assert.False(limiter.TryAcquire(flooder));
    }
}
