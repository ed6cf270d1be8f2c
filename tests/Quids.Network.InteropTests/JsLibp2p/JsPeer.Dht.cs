using System.Text.Json.Nodes;

namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>The @libp2p/kad-dht commands of js/peer.mjs (the peer must be started with <see cref="JsPeerOptions.Dht"/>).</summary>
public sealed partial class JsPeer
{
    /// <summary>Runs js's FIND_NODE lookup for <paramref name="peerId"/>; returns the addresses it found, or throws <see cref="JsPeerException"/>.</summary>
    public async Task<IReadOnlyList<string>> DhtFindPeerAsync(string peerId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("dht-find-peer", new JsonObject { ["peerId"] = peerId }, timeout, cancellationToken).ConfigureAwait(false);
        return Strings(r.GetProperty("addrs"));
    }

    /// <summary>Runs js's closest-peers lookup for the key of <paramref name="peerId"/> (its multihash); returns the peer ids found.</summary>
    public async Task<IReadOnlyList<string>> DhtClosestPeersAsync(string peerId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("dht-closest", new JsonObject { ["peerId"] = peerId }, timeout, cancellationToken).ConfigureAwait(false);
        return Strings(r.GetProperty("peerIds"));
    }

    /// <summary>Puts <paramref name="value"/> under <paramref name="key"/> (a /quids/ key); returns the peers that acknowledged it.</summary>
    public async Task<IReadOnlyList<string>> DhtPutAsync(byte[] key, byte[] value, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var arguments = new JsonObject { ["key"] = Convert.ToBase64String(key), ["value"] = Convert.ToBase64String(value) };
        var r = await SendCommandAsync("dht-put", arguments, timeout, cancellationToken).ConfigureAwait(false);
        return Strings(r.GetProperty("peerIds"));
    }

    /// <summary>Gets the value under <paramref name="key"/> and the peer it came from (js's own id when it had it locally).</summary>
    public async Task<(byte[] Value, string From)> DhtGetAsync(byte[] key, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("dht-get", new JsonObject { ["key"] = Convert.ToBase64String(key) }, timeout, cancellationToken).ConfigureAwait(false);
        return (Convert.FromBase64String(r.GetProperty("value").GetString()!), r.GetProperty("from").GetString()!);
    }

    /// <summary>Announces js as a provider of <paramref name="multihash"/> (ADD_PROVIDER to the closest peers).</summary>
    public Task DhtProvideAsync(byte[] multihash, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        SendCommandAsync("dht-provide", new JsonObject { ["key"] = Convert.ToBase64String(multihash) }, timeout, cancellationToken);

    /// <summary>Looks up providers of <paramref name="multihash"/>; returns each with its addresses.</summary>
    public async Task<IReadOnlyList<(string PeerId, IReadOnlyList<string> Addresses)>> DhtFindProvidersAsync(byte[] multihash, int count = 20, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var arguments = new JsonObject { ["key"] = Convert.ToBase64String(multihash), ["count"] = count };
        var r = await SendCommandAsync("dht-find-providers", arguments, timeout, cancellationToken).ConfigureAwait(false);
        return r.GetProperty("providers").EnumerateArray()
            .Select(p => (p.GetProperty("peerId").GetString()!, (IReadOnlyList<string>)Strings(p.GetProperty("addrs"))))
            .ToArray();
    }

    /// <summary>The peer ids in js's routing table.</summary>
    public async Task<IReadOnlyList<string>> DhtRoutingTableAsync(CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("dht-routing-table", cancellationToken: cancellationToken).ConfigureAwait(false);
        return Strings(r.GetProperty("peerIds"));
    }
}
