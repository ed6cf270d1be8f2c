using System.Security.Cryptography;
using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Network;
using Quids.Network.Protocols.Identify;
using Quids.Network.Tests.Support;

namespace Quids.Network.InteropTests.Interop;

// Ping, identify and the 8 MiB echo, each in both directions.
public sealed partial class QuidsJsInteropTests
{
    private const int EightMiB = 8 * 1024 * 1024;
    private const int EchoStreams = 4;

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_pings_js_and_js_pings_Quids_on_the_same_connection()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);

        for (int i = 0; i < 3; i++)
        {
            var rtt = await quids.Ping.PingAsync(connection, Wait);
            Assert.InRange(rtt, TimeSpan.FromTicks(1), Wait);
        }

        var rtts = await Js.PingAsync(quids.PeerId.ToString(), count: 3);
        Assert.Equal(3, rtts.Count);
        Assert.All(rtts, rtt => Assert.True(rtt > 0));
        Assert.Same(connection, quids.Swarm.FindConnection(JsPeerId));
        Assert.Single(await Js.GetConnectionsAsync(), c => c.PeerId == quids.PeerId.ToString());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_pings_a_Quids_node_it_dialed_and_Quids_pings_back()
    {
        var quids = await StartQuidsAsync();

        Assert.Equal(2, (await Js.PingAsync(quids.Address.ToString(), count: 2)).Count);

        var connection = await quids.WaitForConnectionAsync(JsPeerId, Wait);
        Assert.Equal(ConnectionDirection.Inbound, connection.Direction);
        Assert.True(await quids.Ping.PingAsync(connection, Wait) > TimeSpan.Zero);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_identifies_Quids_with_its_key_agent_addresses_protocols_and_observed_address()
    {
        var quids = await StartQuidsAsync(configure: o => o.ListenAddresses.Add(Multiaddress.Parse("/ip6/::1/tcp/0")));
        var connection = await DialJsAsync(quids);

        var identify = await Js.IdentifyAsync(quids.PeerId.ToString());

        Assert.Equal(quids.PeerId.ToString(), identify.PeerId);
        Assert.Equal("quids-test/1.0", identify.AgentVersion);
        Assert.Equal("ipfs/0.1.0", identify.ProtocolVersion);
        Assert.Equal(
            quids.Swarm.ListenAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal),
            identify.ListenAddrs.Order(StringComparer.Ordinal));
        Assert.Equal(2, identify.ListenAddrs.Count);
        Assert.Equal(connection.RemoteAddress!.ToString(), identify.ObservedAddr);
        Assert.Contains("/ipfs/ping/1.0.0", identify.Protocols);
        Assert.Contains("/ipfs/id/1.0.0", identify.Protocols);
        Assert.Contains(TestNode.EchoProtocol, identify.Protocols);
        Assert.Equal(quids.Swarm.Options.Identity!.PublicKey.ToProtobuf(), identify.PublicKey);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_identifies_js_with_its_agent_addresses_protocols_and_observed_address()
    {
        var quids = await StartQuidsAsync();
        Assert.Equal(quids.PeerId.ToString(), await Js.DialAsync(quids.Address.ToString()));
        var connection = await quids.WaitForConnectionAsync(JsPeerId, Wait);

        var info = await quids.Identify.GetRemoteInfoAsync(connection).WaitAsync(Wait);

        Assert.NotNull(info);
        Assert.Equal(JsPeerId, info.PeerId);
        Assert.StartsWith("js-libp2p/", info.AgentVersion, StringComparison.Ordinal);
        Assert.Equal("ipfs/0.1.0", info.ProtocolVersion);
        Assert.Equal(
            Js.ListenAddresses.Select(a => a.Replace("/p2p/" + Js.PeerId, "", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            info.ListenAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(connection.LocalAddress, info.ObservedAddress);
        Assert.Superset(new HashSet<string>(Js.Protocols), new HashSet<string>(info.Protocols));
        Assert.False(info.SignedPeerRecord.IsEmpty, "js-libp2p sends a signed peer record");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_pushes_its_new_protocol_with_identify_push_and_Quids_updates_what_it_knows()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);
        await quids.Identify.GetRemoteInfoAsync(connection).WaitAsync(Wait);
        string protocol = $"/quids/late/{Guid.NewGuid():N}";
        var pushed = new TaskCompletionSource<IdentifyInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        quids.Identify.Identified += (c, info) =>
        {
            if (c == connection && info.Protocols.Contains(protocol))
            {
                pushed.TrySetResult(info);
            }
        };

        Assert.Contains(protocol, await Js.HandleAsync(protocol));

        var info = await pushed.Task.WaitAsync(Wait);
        Assert.Equal(JsPeerId, info.PeerId);
        Assert.Contains(protocol, (await quids.Identify.GetRemoteInfoAsync(connection))!.Protocols);
        var again = await Js.IdentifyAsync(quids.PeerId.ToString(), refresh: true);
        Assert.Contains(TestNode.EchoProtocol, again.Protocols);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_echoes_8_MiB_on_4_concurrent_streams_through_the_Quids_echo_handler()
    {
        var quids = await StartQuidsAsync();

        var echo = await Js.EchoAsync(quids.Address.ToString(), EightMiB, streams: EchoStreams, seed: 11);

        Assert.Equal(EightMiB, echo.BytesPerStream);
        Assert.Equal(
            Enumerable.Range(0, EchoStreams).Select(i => EchoPayload.Sha256Hex(11 + (uint)i, EightMiB)),
            echo.Sha256s);
        Log($"js -> quids echo: {echo.Milliseconds:0} ms for {EchoStreams} x 8 MiB");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_echoes_8_MiB_on_4_concurrent_streams_through_the_js_echo_handler()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);

        var runs = await Task.WhenAll(Enumerable.Range(0, EchoStreams).Select(i => Task.Run(async () =>
        {
            var payload = EchoPayload.Generate(21 + (uint)i, EightMiB);
            var received = await TestNode.EchoOverAsync(connection, payload);
            return (Seed: 21 + (uint)i, Equal: payload.AsSpan().SequenceEqual(received), Length: received.Length, Hash: Convert.ToHexStringLower(SHA256.HashData(received)));
        })));

        foreach (var run in runs)
        {
            Assert.Equal(EightMiB, run.Length);
            Assert.True(run.Equal, $"stream with seed {run.Seed} came back with different bytes");
            Assert.Equal(EchoPayload.Sha256Hex(run.Seed, EightMiB), run.Hash);
        }

        Assert.DoesNotContain(JsPeer.EchoProtocol, (await JsConnectionToAsync(quids)).StreamProtocols);
    }
}
