using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Multistream;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Network;
using Quids.Network.Tests.Support;

namespace Quids.Network.InteropTests.Interop;

// What happens around the data: stream and connection ends, refused protocols, Yamux's own ping.
public sealed partial class QuidsJsInteropTests
{
    [Fact(Timeout = TestTimeoutMs)]
    public async Task Streams_of_pings_and_echoes_end_on_both_sides_whichever_side_opened_them()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);
        await quids.Identify.GetRemoteInfoAsync(connection).WaitAsync(Wait);

        for (int i = 0; i < 5; i++)
        {
            await quids.Ping.PingAsync(connection, Wait);
        }

        Assert.Equal(5, (await Js.PingAsync(quids.PeerId.ToString(), count: 5)).Count);
        await Js.EchoAsync(quids.PeerId.ToString(), 100_000, streams: 3);
        var payload = EchoPayload.Generate(5, 100_000);
        Assert.Equal(payload, await TestNode.EchoOverAsync(connection, payload));

        var session = (YamuxSession)connection.Muxer;
        await EventuallyAsync(() => Task.FromResult(session.StreamCount == 0), () => $"Quids still holds {session.StreamCount} streams");
        await EventuallyAsync(
            async () => (await JsConnectionToAsync(quids)).StreamProtocols.Count == 0,
            () => "js still holds streams");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_Yamux_ping_to_js_is_answered()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);

        var rtt = await ((YamuxSession)connection.Muxer).PingAsync().AsTask().WaitAsync(Wait);

        Assert.True(rtt > TimeSpan.Zero);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_protocol_the_other_side_lacks_is_refused_and_the_connection_goes_on_both_ways()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);

        await Assert.ThrowsAsync<ProtocolNegotiationException>(
            () => connection.OpenStreamAsync("/quids/nothing/1.0.0", Wait).AsTask());
        var refused = await Assert.ThrowsAsync<JsPeerException>(
            () => Js.EchoAsync(quids.PeerId.ToString(), 10, protocol: "/js/nothing/1.0.0"));
        Log(refused.Message);

        Assert.True(await quids.Ping.PingAsync(connection, Wait) > TimeSpan.Zero);
        Assert.Single(await Js.PingAsync(quids.PeerId.ToString()));
        Assert.Same(connection, quids.Swarm.FindConnection(JsPeerId));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task When_js_hangs_up_the_Quids_connection_ends_cleanly_and_is_released()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);

        await Js.HangUpAsync(quids.PeerId.ToString());

        await connection.Completion.WaitAsync(Wait);
        await EventuallyAsync(() => Task.FromResult(quids.Swarm.Connections.Count == 0), () => "the Swarm still lists the connection");
        Assert.Null(quids.Swarm.FindConnection(JsPeerId));
        Assert.DoesNotContain(quids.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task When_Quids_closes_the_connection_js_reports_the_peer_disconnected()
    {
        var quids = await StartQuidsAsync();
        Assert.Equal(quids.PeerId.ToString(), await Js.DialAsync(quids.Address.ToString()));
        var connection = await quids.WaitForConnectionAsync(JsPeerId, Wait);
        await Js.WaitForEventAsync("peer:connect", quids.PeerId.ToString());

        using var close = new CancellationTokenSource(Wait);
        await connection.CloseAsync(close.Token);

        await Js.WaitForEventAsync("peer:disconnect", quids.PeerId.ToString(), Wait);
        Assert.DoesNotContain(await Js.GetConnectionsAsync(), c => c.PeerId == quids.PeerId.ToString() && c.Status == "open");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure());
            }

            await Task.Delay(20);
        }
    }
}
