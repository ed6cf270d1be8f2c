using Microsoft.Extensions.Time.Testing;
using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

public class YamuxSessionEngineTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_client_opens_odd_ids_and_the_server_even_ids()
    {
        var client = new YamuxSessionEngine(isClient: true, YamuxOptions.Default, _time);
        var server = new YamuxSessionEngine(isClient: false, YamuxOptions.Default, _time);
        Assert.Null(client.TryOpenOutbound(out uint c1));
        Assert.Null(client.TryOpenOutbound(out uint c2));
        Assert.Null(server.TryOpenOutbound(out uint s1));
        Assert.Null(server.TryOpenOutbound(out uint s2));
        Assert.Equal([1u, 3u, 2u, 4u], [c1, c2, s1, s2]);
    }

    [Fact]
    public void A_SYN_with_our_own_parity_or_an_open_id_is_a_protocol_error()
    {
        var server = new YamuxSessionEngine(isClient: false, YamuxOptions.Default, _time);
        Assert.Equal(YamuxInboundDecision.ProtocolError, server.OnInboundSyn(2, alreadyOpen: false));
        Assert.Equal(YamuxInboundDecision.ProtocolError, server.OnInboundSyn(1, alreadyOpen: true));
        Assert.Equal(YamuxInboundDecision.Accept, server.OnInboundSyn(1, alreadyOpen: false));
    }

    [Fact]
    public void The_ACK_backlog_of_256_resets_the_257th_unaccepted_stream()
    {
        var server = new YamuxSessionEngine(isClient: false, YamuxOptions.Default, _time);
        for (uint i = 0; i < 256; i++)
        {
            Assert.Equal(YamuxInboundDecision.Accept, server.OnInboundSyn((2 * i) + 1, alreadyOpen: false));
        }

        Assert.Equal(YamuxInboundDecision.ResetBacklogFull, server.OnInboundSyn(513, alreadyOpen: false));
        server.OnInboundAccepted();
        Assert.Equal(YamuxInboundDecision.Accept, server.OnInboundSyn(515, alreadyOpen: false));
    }

    [Fact]
    public void Streams_beyond_the_inbound_limit_are_reset()
    {
        var server = new YamuxSessionEngine(isClient: false, new YamuxOptions { MaxInboundStreams = 1 }, _time);
        Assert.Equal(YamuxInboundDecision.Accept, server.OnInboundSyn(1, alreadyOpen: false));
        server.OnInboundAccepted();
        Assert.Equal(YamuxInboundDecision.ResetTooManyStreams, server.OnInboundSyn(3, alreadyOpen: false));
        server.OnStreamRemoved(outbound: false, wasAccepted: true);
        Assert.Equal(YamuxInboundDecision.Accept, server.OnInboundSyn(5, alreadyOpen: false));
    }

    [Fact]
    public void Opening_fails_after_go_away_and_beyond_the_outbound_limit()
    {
        var client = new YamuxSessionEngine(isClient: true, new YamuxOptions { MaxOutboundStreams = 1 }, _time);
        Assert.Null(client.TryOpenOutbound(out _));
        Assert.IsType<YamuxStreamLimitException>(client.TryOpenOutbound(out _));
        client.OnStreamRemoved(outbound: true, wasAccepted: true);
        client.OnRemoteGoAway();
        Exception? refused = client.TryOpenOutbound(out _);
        Assert.IsType<YamuxSessionClosedException>(refused);
        Assert.Contains("Go Away", refused.Message);
    }

    [Fact]
    public void A_pong_measures_the_round_trip_on_the_injected_clock()
    {
        var engine = new YamuxSessionEngine(isClient: true, YamuxOptions.Default, _time);
        Assert.True(engine.TryStartPing(out uint opaque));
        _time.Advance(TimeSpan.FromMilliseconds(42));
        Assert.Equal(TimeSpan.FromMilliseconds(42), engine.OnPong(opaque));
        Assert.Equal(TimeSpan.FromMilliseconds(42), engine.RoundTrip);
        Assert.Null(engine.OnPong(opaque));
    }

    [Fact]
    public void Pings_in_flight_are_limited()
    {
        var engine = new YamuxSessionEngine(isClient: true, new YamuxOptions { MaxOutstandingPings = 2 }, _time);
        Assert.True(engine.TryStartPing(out _));
        Assert.True(engine.TryStartPing(out _));
        Assert.False(engine.TryStartPing(out _));
    }
}
