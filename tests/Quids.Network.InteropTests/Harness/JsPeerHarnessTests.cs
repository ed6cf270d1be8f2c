using Quids.Network.InteropTests.JsLibp2p;
using Xunit.Abstractions;

namespace Quids.Network.InteropTests.Harness;

// JS <-> JS: proves the harness (install, process, commands, echo check) before any Quids code takes part.
public sealed class JsPeerHarnessTests(JsLibp2pFixture fixture, ITestOutputHelper output) : IClassFixture<JsLibp2pFixture>
{
    private const int EightMiB = 8 * 1024 * 1024;

    // libp2p PublicKey protobuf of an Ed25519 key: field 1 (Type) = 1 (Ed25519), field 2 (Data) = 32 bytes.
    private static readonly byte[] Ed25519PublicKeyPrefix = [0x08, 0x01, 0x12, 0x20];

    [Fact]
    public async Task A_js_peer_starts_on_Node_22_and_reports_an_Ed25519_peer_id_and_loopback_addresses()
    {
        Assert.StartsWith("v22.", fixture.Environment.NodeVersion, StringComparison.Ordinal);

        await using var js = await JsPeer.StartAsync(new JsPeerOptions { Log = output.WriteLine });

        Assert.StartsWith("12D3KooW", js.PeerId, StringComparison.Ordinal);
        Assert.Matches(@"^/ip4/127\.0\.0\.1/tcp/\d+/p2p/" + js.PeerId + "$", js.Ip4Address);
        Assert.InRange(js.Ip4Port, 1, 65535);
        Assert.Contains(JsPeer.EchoProtocol, js.Protocols);
        Assert.Contains("/ipfs/ping/1.0.0", js.Protocols);
        Assert.Contains("/ipfs/id/1.0.0", js.Protocols);
        Assert.Empty(await js.GetConnectionsAsync());
    }

    [Fact]
    public async Task Two_js_peers_dial_ping_identify_and_echo_8_MiB_over_4_streams()
    {
        await using var a = await JsPeer.StartAsync(new JsPeerOptions { Log = line => output.WriteLine($"a: {line}") });
        await using var b = await JsPeer.StartAsync(new JsPeerOptions { Log = line => output.WriteLine($"b: {line}") });

        Assert.Equal(b.PeerId, await a.DialAsync(b.Ip4Address));

        var rtts = await a.PingAsync(b.PeerId, count: 3);
        Assert.Equal(3, rtts.Count);
        Assert.All(rtts, rtt => Assert.True(rtt > 0));
        Assert.Single(await b.PingAsync(a.PeerId));

        var aSeesB = await a.IdentifyAsync(b.PeerId);
        Assert.Equal(b.PeerId, aSeesB.PeerId);
        Assert.False(string.IsNullOrEmpty(aSeesB.AgentVersion));
        Assert.Equal("ipfs/0.1.0", aSeesB.ProtocolVersion);
        Assert.Contains(b.Ip4Address.Replace("/p2p/" + b.PeerId, "", StringComparison.Ordinal), aSeesB.ListenAddrs);
        Assert.Contains(JsPeer.EchoProtocol, aSeesB.Protocols);
        Assert.Equal(Ed25519PublicKeyPrefix, aSeesB.PublicKey![..4]);
        Assert.Equal(36, aSeesB.PublicKey.Length);
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", aSeesB.ObservedAddr, StringComparison.Ordinal);

        var bSeesA = await b.IdentifyAsync(a.PeerId, refresh: true);
        Assert.Equal(a.PeerId, bSeesA.PeerId);
        Assert.Contains("/ipfs/ping/1.0.0", bSeesA.Protocols);

        var echo = await a.EchoAsync(b.PeerId, EightMiB, streams: 4, seed: 7);
        Assert.Equal(EightMiB, echo.BytesPerStream);
        Assert.Equal(
            Enumerable.Range(0, 4).Select(i => EchoPayload.Sha256Hex(7 + (uint)i, EightMiB)),
            echo.Sha256s);

        var connection = Assert.Single(await a.GetConnectionsAsync());
        Assert.Equal(b.PeerId, connection.PeerId);
        Assert.Equal("outbound", connection.Direction);
        Assert.Equal("/noise", connection.Encryption);
        Assert.Equal("/yamux/1.0.0", connection.Multiplexer);
        Assert.Equal("inbound", Assert.Single(await b.GetConnectionsAsync()).Direction);
    }

    [Fact]
    public async Task A_failed_command_reports_the_js_error()
    {
        await using var js = await JsPeer.StartAsync(new JsPeerOptions { Log = output.WriteLine });

        var error = await Assert.ThrowsAsync<JsPeerException>(
            () => js.DialAsync("/ip4/127.0.0.1/tcp/1/p2p/" + js.PeerId, TimeSpan.FromSeconds(5)));

        Assert.Contains("'dial'", error.Message, StringComparison.Ordinal);
    }
}
