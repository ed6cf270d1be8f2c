using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Network;
using Quids.Network.Tests.Support;
using Xunit.Abstractions;

namespace Quids.Network.InteropTests.Interop;

// Quids <-> js-libp2p 3.3.11 over real TCP on loopback. Every test starts its own Quids node and shares the
// class's js peer; js's stderr is copied into the output of the test that fails.
public sealed partial class QuidsJsInteropTests(SharedJsPeerFixture fixture, ITestOutputHelper output)
    : IClassFixture<SharedJsPeerFixture>, IAsyncLifetime
{
    // Each Fact also has this as its Timeout, so a hang fails one test instead of the whole run.
    private const int TestTimeoutMs = 60_000;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private readonly List<TestNode> _nodes = [];

    private JsPeer Js => fixture.Js;

    private PeerId JsPeerId => PeerId.Parse(Js.PeerId);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            foreach (var line in node.Logs.Lines)
            {
                Log($"quids {node.PeerId.ToString()[^6..]}: {line}");
            }

            await node.DisposeAsync();
        }

        foreach (var line in Js.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(40))
        {
            Log($"js: {line}");
        }
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_dials_Quids_over_IPv4_and_both_sides_agree_on_noise_and_yamux()
    {
        var quids = await StartQuidsAsync();

        Assert.Equal(quids.PeerId.ToString(), await Js.DialAsync(quids.Address.ToString()));

        var connection = await quids.WaitForConnectionAsync(JsPeerId, Wait);
        Assert.Equal(ConnectionDirection.Inbound, connection.Direction);
        Assert.StartsWith("/ip4/127.0.0.1/tcp/", connection.RemoteAddress!.ToString(), StringComparison.Ordinal);
        var seen = await JsConnectionToAsync(quids);
        Assert.Equal("outbound", seen.Direction);
        Assert.Equal("/noise", seen.Encryption);
        Assert.Equal("/yamux/1.0.0", seen.Multiplexer);
        Assert.Equal(quids.Address.ToString(), seen.RemoteAddr);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_dials_js_over_IPv4_and_both_sides_agree_on_noise_and_yamux()
    {
        var quids = await StartQuidsAsync();

        var connection = await DialJsAsync(quids);

        Assert.Equal(JsPeerId, connection.RemotePeerId);
        Assert.Equal(ConnectionDirection.Outbound, connection.Direction);
        var seen = await JsConnectionToAsync(quids);
        Assert.Equal("inbound", seen.Direction);
        Assert.Equal("/noise", seen.Encryption);
        Assert.Equal("/yamux/1.0.0", seen.Multiplexer);
        Assert.Equal(connection.LocalAddress + "/p2p/" + quids.PeerId, seen.RemoteAddr);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_and_js_dial_each_other_over_IPv6_and_ping_across()
    {
        var dialer = await StartQuidsAsync("/ip6/::1/tcp/0");
        var listener = await StartQuidsAsync("/ip6/::1/tcp/0");
        Assert.StartsWith("/ip6/::1/tcp/", listener.Address.ToString(), StringComparison.Ordinal);

        var outbound = await DialJsAsync(dialer, Js.Ip6Address);
        Assert.Equal(JsPeerId, outbound.RemotePeerId);
        Assert.StartsWith("/ip6/::1/tcp/", outbound.LocalAddress!.ToString(), StringComparison.Ordinal);
        Assert.True(await dialer.Ping.PingAsync(outbound, Wait) > TimeSpan.Zero);

        Assert.Equal(listener.PeerId.ToString(), await Js.DialAsync(listener.Address.ToString()));
        var inbound = await listener.WaitForConnectionAsync(JsPeerId, Wait);
        Assert.StartsWith("/ip6/::1/tcp/", inbound.RemoteAddress!.ToString(), StringComparison.Ordinal);
        Assert.Single(await Js.PingAsync(listener.PeerId.ToString()));
        Assert.Equal("/yamux/1.0.0", (await JsConnectionToAsync(listener)).Multiplexer);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Dialing_js_with_a_wrong_peer_id_fails_with_a_peer_id_mismatch()
    {
        var quids = await StartQuidsAsync();
        using var stranger = IdentityKeyPair.Generate();
        var address = Multiaddress.Parse(Js.Ip4Address).WithoutPeerId().WithPeerId(stranger.PeerId);

        var error = await Assert.ThrowsAsync<ConnectionUpgradeException>(() => quids.Swarm.DialAsync(address));

        Assert.Equal(UpgradeStage.SecurityHandshake, error.Stage);
        var mismatch = Assert.IsType<Quids.Network.Security.Noise.PeerIdMismatchException>(error.InnerException);
        Assert.Equal(stranger.PeerId, mismatch.Expected);
        Assert.Equal(JsPeerId, mismatch.Actual);
        Assert.Null(quids.Swarm.FindConnection(JsPeerId));
    }

    private async Task<TestNode> StartQuidsAsync(string listen = "/ip4/127.0.0.1/tcp/0", Action<HostOptions>? configure = null)
    {
        var node = await TestNode.StartAsync(listen, configure);
        _nodes.Add(node);
        return node;
    }

    // Our dial completes when we sent the last handshake message, a moment before js has the connection: wait
    // for js too, so that js commands addressed by peer id find it.
    private async Task<NetworkConnection> DialJsAsync(TestNode quids, string? address = null)
    {
        var connection = await quids.Swarm.DialAsync(Multiaddress.Parse(address ?? Js.Ip4Address));
        await JsConnectionToAsync(quids);
        return connection;
    }

    // js registers a connection a moment after the handshake; poll its table until it shows up.
    private async Task<JsConnection> JsConnectionToAsync(TestNode quids)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var found = (await Js.GetConnectionsAsync()).FirstOrDefault(c => c.PeerId == quids.PeerId.ToString() && c.Status == "open");
            if (found is not null || DateTime.UtcNow > deadline)
            {
                return found ?? throw new TimeoutException($"js has no open connection to {quids.PeerId}.");
            }

            await Task.Delay(20);
        }
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // No test is running any more; the line is only diagnostic.
        }
    }
}
