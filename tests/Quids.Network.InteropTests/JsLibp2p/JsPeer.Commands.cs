using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>The typed commands of js/peer.mjs.</summary>
public sealed partial class JsPeer
{
    /// <summary>Dials <paramref name="address"/> (a multiaddr, with /p2p/ if js should check the peer id) and returns the remote peer id.</summary>
    public async Task<string> DialAsync(string address, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var response = await SendCommandAsync("dial", new JsonObject { ["addr"] = address }, timeout, cancellationToken).ConfigureAwait(false);
        return response.GetProperty("peerId").GetString()!;
    }

    /// <summary>
    /// Pings with @libp2p/ping (/ipfs/ping/1.0.0, a new stream per ping) <paramref name="count"/> times; returns
    /// the round-trip times in milliseconds. <paramref name="target"/> is a multiaddr or the peer id of a connected peer.
    /// </summary>
    public async Task<IReadOnlyList<double>> PingAsync(string target, int count = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var response = await SendCommandAsync("ping", new JsonObject { ["addr"] = target, ["count"] = count }, timeout, cancellationToken).ConfigureAwait(false);
        return response.GetProperty("rtts").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    /// <summary>
    /// The latest identify result js got from <paramref name="peerId"/>; js identifies every new connection by
    /// itself, so this waits for that if it has not arrived yet. <paramref name="refresh"/> runs identify again.
    /// </summary>
    public async Task<JsIdentifyResult> IdentifyAsync(string peerId, bool refresh = false, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("identify", new JsonObject { ["peerId"] = peerId, ["refresh"] = refresh }, timeout, cancellationToken).ConfigureAwait(false);
        return new JsIdentifyResult(
            r.GetProperty("peerId").GetString()!,
            OptionalString(r, "agentVersion"),
            OptionalString(r, "protocolVersion"),
            Strings(r.GetProperty("listenAddrs")),
            OptionalString(r, "observedAddr"),
            Strings(r.GetProperty("protocols")),
            OptionalString(r, "publicKey") is { } key ? Convert.FromBase64String(key) : null,
            OptionalString(r, "remoteAddr"));
    }

    /// <summary>
    /// Opens <paramref name="streams"/> concurrent streams of <paramref name="protocol"/> to <paramref name="target"/>,
    /// sends <paramref name="bytesPerStream"/> bytes of <see cref="EchoPayload"/> (seed <paramref name="seed"/> + stream
    /// index) on each, closes the write side, and has js check that exactly the same bytes came back.
    /// </summary>
    public async Task<JsEchoResult> EchoAsync(string target, int bytesPerStream, int streams = 1, string protocol = EchoProtocol, uint seed = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var arguments = new JsonObject
        {
            ["addr"] = target,
            ["protocol"] = protocol,
            ["bytes"] = bytesPerStream,
            ["streams"] = streams,
            ["seed"] = seed,
        };
        var r = await SendCommandAsync("echo", arguments, timeout, cancellationToken).ConfigureAwait(false);
        return new JsEchoResult(
            r.GetProperty("bytes").GetInt64(),
            Strings(r.GetProperty("sha256s")),
            r.GetProperty("streamMs").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            r.GetProperty("ms").GetDouble());
    }

    /// <summary>The connections js has, open or closing.</summary>
    public async Task<IReadOnlyList<JsConnection>> GetConnectionsAsync(CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("connections", cancellationToken: cancellationToken).ConfigureAwait(false);
        return r.GetProperty("connections").EnumerateArray().Select(c => new JsConnection(
            c.GetProperty("peerId").GetString()!,
            c.GetProperty("remoteAddr").GetString()!,
            c.GetProperty("direction").GetString()!,
            c.GetProperty("status").GetString()!,
            OptionalString(c, "encryption"),
            OptionalString(c, "multiplexer"),
            c.GetProperty("streams").EnumerateArray().Select(s => s.GetString()).ToArray())).ToArray();
    }

    /// <summary>
    /// Makes js serve <paramref name="protocol"/> (as an echo) from now on; js then sends identify push
    /// (/ipfs/id/push/1.0.0) to every connected peer. Returns js's protocols afterwards.
    /// </summary>
    public async Task<IReadOnlyList<string>> HandleAsync(string protocol, CancellationToken cancellationToken = default)
    {
        var r = await SendCommandAsync("handle", new JsonObject { ["protocol"] = protocol }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Strings(r.GetProperty("protocols"));
    }

    /// <summary>Closes every connection js has to <paramref name="peerId"/>.</summary>
    public Task HangUpAsync(string peerId, CancellationToken cancellationToken = default) =>
        SendCommandAsync("hangup", new JsonObject { ["peerId"] = peerId }, cancellationToken: cancellationToken);

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
