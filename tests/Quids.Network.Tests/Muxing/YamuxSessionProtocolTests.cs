using Microsoft.Extensions.Time.Testing;
using Quids.Network.Muxing;
using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

/// <summary>A real session against a hand-driven peer writing literal frames.</summary>
public class YamuxSessionProtocolTests
{
    [Fact]
    public async Task Opening_a_stream_sends_the_literal_SYN_window_update()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: true);
        await peer.Session.OpenStreamAsync();
        (YamuxFrameHeader Header, byte[] Payload)? frame = await peer.ReceiveAsync();
        var bytes = new byte[12];
        frame!.Value.Header.Write(bytes);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, bytes);
    }

    [Fact]
    public async Task Answers_a_ping_with_an_ACK_echoing_the_opaque_value()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(0x00, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78);
        YamuxFrameHeader pong = await peer.ReceiveUntilAsync(h => h.Type == YamuxFrameType.Ping);
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Ack, 0, 0x12345678), pong);
    }

    [Fact]
    public async Task Accepting_an_inbound_stream_sends_ACK_and_data_flows()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.Syn, 1, 3, [7, 8, 9]);
        IMuxedStream stream = (await peer.Session.AcceptStreamAsync())!;
        Assert.Equal(new byte[] { 7, 8, 9 }, await StreamIo.ReadExactlyAsync(stream.Input, 3));
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, 1, 0), (await peer.ReceiveAsync())!.Value.Header);

        await stream.Output.WriteAsync(new byte[] { 4, 2 });
        await stream.CloseWriteAsync();
        (YamuxFrameHeader Header, byte[] Payload)? data = await peer.ReceiveAsync();
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.Data, YamuxFlags.None, 1, 2), data!.Value.Header);
        Assert.Equal(new byte[] { 4, 2 }, data.Value.Payload);
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Fin, 1, 0), (await peer.ReceiveAsync())!.Value.Header);
    }

    [Fact]
    public async Task A_window_update_in_the_SYN_raises_the_send_window_beyond_256_KiB()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 100_000);
        IMuxedStream stream = (await peer.Session.AcceptStreamAsync())!;
        Task writing = StreamIo.WriteAllAsync(stream.Output, new byte[1_000_000]);
        long received = 0;
        while (received < YamuxOptions.InitialWindow + 100_000)
        {
            (YamuxFrameHeader Header, byte[] Payload) frame = (await peer.ReceiveAsync())!.Value;
            if (frame.Header.Type == YamuxFrameType.Data)
            {
                Assert.True(frame.Header.Length <= (64 * 1024) - 12, "frames are at most 64 KiB including the header");
                received += frame.Header.Length;
            }
        }

        Assert.Equal(YamuxOptions.InitialWindow + 100_000, received);
        await Task.Delay(50);
        Assert.False(writing.IsCompleted);
    }

    [Fact]
    public async Task Resets_inbound_streams_beyond_the_ACK_backlog()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false, new YamuxOptions { PingOnStart = false, AckBacklog = 3 });
        for (uint id = 1; id <= 7; id += 2)
        {
            await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, id, 0);
        }

        YamuxFrameHeader rst = await peer.ReceiveUntilAsync(_ => true);
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, 7, 0), rst);
        Assert.Equal(3, peer.Session.StreamCount);
    }

    [Fact]
    public async Task Resets_inbound_streams_beyond_the_stream_limit()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false, new YamuxOptions { PingOnStart = false, MaxInboundStreams = 1 });
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0);
        await peer.Session.AcceptStreamAsync();
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.Syn, 3, 4, [1, 2, 3, 4]);
        YamuxFrameHeader rst = await peer.ReceiveUntilAsync(h => h.HasFlag(YamuxFlags.Rst));
        Assert.Equal(3u, rst.StreamId);
        Assert.False(peer.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task Ignores_frames_for_a_stream_that_was_already_closed()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.Syn, 1, 0);
        IMuxedStream stream = (await peer.Session.AcceptStreamAsync())!;
        stream.Reset();
        await peer.ReceiveUntilAsync(h => h.HasFlag(YamuxFlags.Rst));
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.None, 1, 3, [1, 2, 3]);
        await peer.SendAsync(0x00, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 9);
        Assert.Equal(9u, (await peer.ReceiveUntilAsync(h => h.Type == YamuxFrameType.Ping)).Length);
        Assert.False(peer.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_peer_go_away_forbids_new_outbound_streams_with_a_typed_error()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: true);
        await peer.SendAsync(YamuxFrameType.GoAway, YamuxFlags.None, 0, 0);
        await peer.SendAsync(0x00, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1);
        await peer.ReceiveUntilAsync(h => h.Type == YamuxFrameType.Ping);
        var ex = await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await peer.Session.OpenStreamAsync());
        Assert.Contains("Go Away", ex.Message);
    }

    [Fact]
    public async Task A_peer_go_away_with_an_error_code_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: true);
        await peer.SendAsync(YamuxFrameType.GoAway, YamuxFlags.None, 0, 2);
        var ex = await Assert.ThrowsAsync<YamuxProtocolException>(() => peer.Session.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(YamuxGoAwayCode.InternalError, ex.Code);
        Assert.Contains("internal error", ex.Message);
    }

    [Fact]
    public async Task A_bad_version_ends_the_session_with_go_away_protocol_error()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(0x01, 0x00, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 0);
        await AssertProtocolErrorAsync(peer, "unsupported version 1");
    }

    [Fact]
    public async Task An_unknown_frame_type_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(0x00, 0x07, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 0);
        await AssertProtocolErrorAsync(peer, "unknown frame type 7");
    }

    [Fact]
    public async Task An_oversized_data_frame_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.Syn, 1, (16 * 1024 * 1024) + 1);
        await AssertProtocolErrorAsync(peer, "exceeds the maximum of 16777216");
    }

    [Fact]
    public async Task Data_beyond_the_receive_window_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.Syn, 1, YamuxOptions.InitialWindow, new byte[YamuxOptions.InitialWindow]);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.None, 1, 1, [0]);
        await AssertProtocolErrorAsync(peer, "exceeds the receive window");
    }

    [Fact]
    public async Task A_SYN_for_an_open_stream_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0);
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0);
        await AssertProtocolErrorAsync(peer, "SYN for stream 1, which is already open");
    }

    [Fact]
    public async Task A_SYN_with_the_wrong_parity_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 2, 0);
        await AssertProtocolErrorAsync(peer, "SYN for stream 2");
    }

    [Fact]
    public async Task A_frame_for_a_stream_this_side_never_opened_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: true);
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, 1, 0);
        await AssertProtocolErrorAsync(peer, "stream 1, which this side never opened");
    }

    [Fact]
    public async Task Data_after_the_peers_FIN_ends_the_session()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.Syn | YamuxFlags.Fin, 1, 1, [1]);
        await peer.SendAsync(YamuxFrameType.Data, YamuxFlags.None, 1, 1, [2]);
        await AssertProtocolErrorAsync(peer, "after the peer's FIN");
    }

    [Fact]
    public async Task A_connection_cut_inside_a_frame_ends_the_session_with_an_error()
    {
        (TestDuplexPipe sessionEnd, TestDuplexPipe rawEnd) = TestDuplexPipe.CreatePair();
        await using var session = new YamuxSession(sessionEnd, isClient: false, new YamuxOptions { PingOnStart = false });
        session.Start();
        await rawEnd.Output.WriteAsync(new byte[] { 0, 0, 0, 1, 0, 0 });
        await rawEnd.Output.CompleteAsync();
        var ex = await Assert.ThrowsAsync<YamuxProtocolException>(() => session.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("middle of a frame", ex.Message);
    }

    [Fact]
    public async Task A_clean_end_of_the_connection_ends_the_session_and_its_streams()
    {
        (TestDuplexPipe sessionEnd, TestDuplexPipe rawEnd) = TestDuplexPipe.CreatePair();
        await using var session = new YamuxSession(sessionEnd, isClient: false, new YamuxOptions { PingOnStart = false });
        session.Start();
        var syn = new byte[12];
        new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0).Write(syn);
        await rawEnd.Output.WriteAsync(syn);
        IMuxedStream stream = (await session.AcceptStreamAsync())!;
        await rawEnd.Output.CompleteAsync();
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        var ex = await Assert.ThrowsAsync<StreamResetException>(async () => await stream.Input.ReadAsync());
        Assert.Contains("session ended", ex.Message);
        Assert.Null(await session.AcceptStreamAsync());
    }

    [Fact]
    public async Task Close_gives_up_on_a_peer_that_stopped_reading_after_the_close_timeout()
    {
        var time = new FakeTimeProvider();
        await using var peer = new RawYamuxPeer(sessionIsClient: true, timeProvider: time);
        IMuxedStream stream = await peer.Session.OpenStreamAsync();

        // The peer never reads: the in-memory transport pauses at 64 KiB and the write loop waits in FlushAsync.
        _ = StreamIo.WriteAllAsync(stream.Output, new byte[200_000]);
        await Task.Delay(100);
        Task closing = peer.Session.CloseAsync();
        await Task.Delay(50);
        Assert.False(closing.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(5));
        await closing.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Abort_releases_a_write_loop_stuck_on_a_peer_that_stopped_reading()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: true);
        IMuxedStream stream = await peer.Session.OpenStreamAsync();
        _ = StreamIo.WriteAllAsync(stream.Output, new byte[200_000]);
        await Task.Delay(100);
        peer.Session.Abort(new IOException("gone"));
        var ex = await Assert.ThrowsAsync<IOException>(() => peer.Session.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("gone", ex.Message);
    }

    [Fact]
    public async Task A_disposed_stream_is_reset_when_the_peer_never_sends_its_FIN()
    {
        var time = new FakeTimeProvider();
        await using var peer = new RawYamuxPeer(sessionIsClient: false, timeProvider: time);
        await peer.SendAsync(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0);
        IMuxedStream stream = (await peer.Session.AcceptStreamAsync())!;
        await stream.DisposeAsync();
        await peer.ReceiveUntilAsync(h => h.HasFlag(YamuxFlags.Fin));
        Assert.Equal(1, peer.Session.StreamCount);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, 1, 0), await peer.ReceiveUntilAsync(h => h.HasFlag(YamuxFlags.Rst)));
        Assert.Equal(0, peer.Session.StreamCount);
    }

    [Fact]
    public async Task Answers_at_most_the_pong_cap_when_flooded_with_pings_while_the_peer_does_not_read()
    {
        await using var peer = new RawYamuxPeer(sessionIsClient: false, new YamuxOptions { PingOnStart = false, MaxPendingPongs = 2 });
        var flood = new byte[12 * 20_000];
        for (int i = 0; i < 20_000; i++)
        {
            new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, (uint)i).Write(flood.AsSpan(i * 12));
        }

        // 20 000 pongs (240 KB) would overflow the 64 KiB transport the peer never reads; capped, the session survives.
        await peer.SendAsync(flood);
        await Task.Delay(100);
        Assert.False(peer.Session.Completion.IsCompleted);
        int pongs = 0;
        while (await Task.WhenAny(peer.ReceiveAsync(), Task.Delay(200)) is Task<(YamuxFrameHeader Header, byte[] Payload)?> { Result: not null })
        {
            pongs++;
        }

        Assert.InRange(pongs, 1, 19_999);
    }

    private static async Task AssertProtocolErrorAsync(RawYamuxPeer peer, string expected)
    {
        YamuxFrameHeader goAway = await peer.ReceiveUntilAsync(h => h.Type == YamuxFrameType.GoAway);
        Assert.Equal((uint)YamuxGoAwayCode.ProtocolError, goAway.Length);
        var ex = await Assert.ThrowsAsync<YamuxProtocolException>(() => peer.Session.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.StartsWith("Yamux protocol error: ", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Null(await peer.ReceiveAsync());
    }
}
