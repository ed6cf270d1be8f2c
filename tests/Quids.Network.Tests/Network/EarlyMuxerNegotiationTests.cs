using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network;

// Noise early muxer negotiation is used only when both handshake payloads list /yamux/1.0.0; a node that
// did not send its list must not skip multistream-select just because the peer sent one (js-libp2p, which
// always sends its list, then expects multistream-select /yamux/1.0.0 inside the channel).
public class EarlyMuxerNegotiationTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task Both_sides_pick_the_same_path_whoever_offered_the_muxer_in_the_handshake(bool dialerOffers, bool listenerOffers)
    {
        await using var dialer = await TestNode.StartAsync(configure: o => o.EarlyMuxerNegotiation = dialerOffers);
        await using var listener = await TestNode.StartAsync(configure: o => o.EarlyMuxerNegotiation = listenerOffers);

        var outbound = await dialer.DialAsync(listener);
        var inbound = await listener.WaitForConnectionAsync(dialer.PeerId);

        bool early = dialerOffers && listenerOffers;
        Assert.Equal(early, outbound.MuxerNegotiatedInHandshake);
        Assert.Equal(early, inbound.MuxerNegotiatedInHandshake);
        Assert.True(await dialer.Ping.PingAsync(outbound, TimeSpan.FromSeconds(5)) > TimeSpan.Zero);
        Assert.True(await listener.Ping.PingAsync(inbound, TimeSpan.FromSeconds(5)) > TimeSpan.Zero);
    }
}
