using Quids.Network.Core;
using Quids.Network.Network;

namespace Quids.Network.InteropTests.Interop;

// Noise early muxer negotiation (libp2p specs, connections/inlined-muxer-negotiation.md): js-libp2p-noise 17
// lists /yamux/1.0.0 in its handshake payload's extensions and uses it when the remote listed it too;
// without our list it falls back to multistream-select /yamux/1.0.0 inside the Noise channel.
public sealed partial class QuidsJsInteropTests
{
    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_offers_yamux_in_the_Noise_handshake_and_both_directions_skip_multistream_for_the_muxer()
    {
        // Two Quids nodes: js would reuse an existing connection to the same peer instead of dialing back.
        var dialer = await StartQuidsAsync();
        var listener = await StartQuidsAsync();

        var outbound = await DialJsAsync(dialer);
        await Js.DialAsync(listener.Address.ToString());
        var inbound = await WaitForDirectionAsync(listener, ConnectionDirection.Inbound);

        Assert.True(outbound.MuxerNegotiatedInHandshake);
        Assert.True(inbound.MuxerNegotiatedInHandshake);
        var line = await dialer.Logs.WaitForAsync("(Outbound) upgraded: peer " + Js.PeerId);
        Assert.EndsWith("muxer by Noise early negotiation", line, StringComparison.Ordinal);
        Assert.True(await dialer.Ping.PingAsync(outbound, Wait) > TimeSpan.Zero);
        Assert.True(await listener.Ping.PingAsync(inbound, Wait) > TimeSpan.Zero);
        Assert.Equal("/yamux/1.0.0", (await JsConnectionToAsync(listener)).Multiplexer);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Without_early_negotiation_js_and_Quids_agree_on_yamux_by_multistream_select_both_ways()
    {
        var quids = await StartQuidsAsync(configure: o => o.EarlyMuxerNegotiation = false);

        var outbound = await DialJsAsync(quids);
        Assert.False(outbound.MuxerNegotiatedInHandshake);
        Assert.True(await quids.Ping.PingAsync(outbound, Wait) > TimeSpan.Zero);
        Assert.Equal("/yamux/1.0.0", (await JsConnectionToAsync(quids)).Multiplexer);
        await Js.HangUpAsync(quids.PeerId.ToString());
        await outbound.Completion.WaitAsync(Wait);

        Assert.Single(await Js.PingAsync(quids.Address.ToString()));
        var inbound = await WaitForDirectionAsync(quids, ConnectionDirection.Inbound);
        Assert.False(inbound.MuxerNegotiatedInHandshake);
        Assert.True(await quids.Ping.PingAsync(inbound, Wait) > TimeSpan.Zero);
        Assert.Contains(quids.Logs.Lines, l => l.Contains("(Inbound) upgraded", StringComparison.Ordinal) && l.Contains("muxer by multistream-select", StringComparison.Ordinal));
    }

    private static async Task<NetworkConnection> WaitForDirectionAsync(Tests.Support.TestNode quids, ConnectionDirection direction)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (quids.Swarm.Connections.FirstOrDefault(c => c.Direction == direction && !c.Completion.IsCompleted) is { } found)
            {
                return found;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No {direction} connection on {quids.PeerId}.");
    }
}
