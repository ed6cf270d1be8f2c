using Quids.Network.Core;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Tests.Muxing;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network;

public partial class HostileInputTests
{
    private const byte Data = (byte)YamuxFrameType.Data;
    private const byte WindowUpdate = (byte)YamuxFrameType.WindowUpdate;

    [Fact]
    public async Task A_yamux_data_frame_beyond_the_receive_window_is_a_protocol_error()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);

        await hostile.SendYamuxAsync(0, WindowUpdate, YamuxFlags.Syn, 1, 0);
        await hostile.SendYamuxAsync(0, Data, YamuxFlags.None, 1, 300 * 1024);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Warning 1006", "Yamux protocol error", "data frame of 307200 bytes on stream 1 exceeds the receive window");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_yamux_data_frame_beyond_the_frame_limit_is_a_protocol_error()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);

        await hostile.SendYamuxAsync(0, Data, YamuxFlags.Syn, 1, 0x7FFF_FFFF);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Warning 1006", "Yamux protocol error", "data frame of 2147483647 bytes on stream 1 exceeds the maximum");
        await arena.AssertHealthyAsync();
    }

    [Theory]
    [InlineData(1, WindowUpdate, "unsupported version 1")]
    [InlineData(0, 9, "unknown frame type 9")]
    public async Task A_malformed_yamux_header_is_a_protocol_error(byte version, byte type, string reason)
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);

        await hostile.SendYamuxAsync(version, type, YamuxFlags.Syn, 1, 0);

        var (frames, closed) = await hostile.ReadYamuxFramesAsync(CloseDeadline);
        Assert.True(closed, "The victim did not close the hostile connection.");
        Assert.Contains(frames, f => f.Type == YamuxFrameType.GoAway && f.Length == (uint)YamuxGoAwayCode.ProtocolError);
        await arena.AssertLoggedAsync("Warning 1006", "Yamux protocol error", reason);
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_yamux_syn_with_the_listeners_parity_is_a_protocol_error()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);

        await hostile.SendYamuxAsync(0, WindowUpdate, YamuxFlags.Syn, 2, 0);

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Warning 1006", "Yamux protocol error", "SYN for stream 2");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_peer_that_opens_streams_and_never_negotiates_them_is_closed_as_a_stream_flood()
    {
        await using var arena = await Arena.StartAsync(o => o.MaxNegotiatingStreamsPerConnection = 16);
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);
        var session = (YamuxSession)(await arena.Victim.WaitForConnectionAsync(identity.PeerId, CloseDeadline)).Muxer;

        // Within Yamux's limits (ACK backlog 256), beyond the node's 16 streams in negotiation.
        await hostile.SendAsync(Syns(200));

        // The connection is aborted: the resets queued for the refused streams need not reach the flooder.
        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("stream flood", "streams refused in a row while 16 were negotiating");
        Assert.Equal(0, session.StreamCount);
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_burst_of_thousands_of_syns_beyond_the_ack_backlog_ends_the_session_with_go_away()
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);
        var session = (YamuxSession)(await arena.Victim.WaitForConnectionAsync(identity.PeerId, CloseDeadline)).Muxer;

        await hostile.SendAsync(Syns(5000));

        var (frames, closed) = await hostile.ReadYamuxFramesAsync(CloseDeadline);
        Assert.True(closed, "The victim did not close the hostile connection.");
        Assert.Contains(frames, f => f.Type == YamuxFrameType.GoAway && f.Length == (uint)YamuxGoAwayCode.ProtocolError);
        await arena.AssertLoggedAsync("Warning 1006", "Yamux protocol error", "stream flood", "resets of refused streams are still queued");
        Assert.Equal(0, session.StreamCount);
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_few_streams_beyond_the_yamux_stream_limit_are_reset_and_the_connection_stays()
    {
        await using var arena = await Arena.StartAsync(o => o.Yamux = new YamuxOptions { MaxInboundStreams = 8 });
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = IdentityKeyPair.Generate();
        await hostile.HandshakeAndSelectYamuxAsync(identity);
        var victimSide = await arena.Victim.WaitForConnectionAsync(identity.PeerId, CloseDeadline);
        var session = (YamuxSession)victimSide.Muxer;

        await hostile.SendAsync(Syns(50));
        var (frames, closed) = await hostile.ReadYamuxFramesAsync(TimeSpan.FromMilliseconds(500));

        Assert.False(closed);
        Assert.Equal(50 - 8, frames.Count(f => f.HasFlag(YamuxFlags.Rst)));
        // The 8 inbound streams plus the victim's own identify stream to the hostile peer.
        Assert.True(session.StreamCount <= 8 + 1, $"{session.StreamCount} streams held");
        Assert.False(victimSide.Completion.IsCompleted);
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_syn_flood_whose_resets_are_never_read_ends_the_session_instead_of_queueing_them()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false, new YamuxOptions { PingOnStart = false, MaxInboundStreams = 4 });

        // The raw side never reads: once its pipe is full, every refused SYN would leave a reset in the queue.
        var flood = Task.Run(async () =>
        {
            for (int chunk = 0; chunk < 100 && !peer.Session.Completion.IsCompleted; chunk++)
            {
                await peer.SendAsync(Syns(1000, firstId: (uint)(chunk * 2000) + 1));
            }
        });

        var error = await Assert.ThrowsAsync<YamuxProtocolException>(() => peer.Session.Completion.WaitAsync(CloseDeadline));
        Assert.Contains("stream flood", error.Message, StringComparison.Ordinal);
        Assert.Contains("256 resets of refused streams are still queued", error.Message, StringComparison.Ordinal);
        await flood.WaitAsync(CloseDeadline);
    }

    private static byte[] Syns(int count, uint firstId = 1)
    {
        byte[] frames = new byte[count * YamuxFrameHeader.Size];
        for (int i = 0; i < count; i++)
        {
            new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, firstId + (uint)(2 * i), 0).Write(frames.AsSpan(i * YamuxFrameHeader.Size));
        }

        return frames;
    }
}
