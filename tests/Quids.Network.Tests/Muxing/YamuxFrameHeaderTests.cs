using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

public class YamuxFrameHeaderTests
{
    [Fact]
    public void Encodes_a_SYN_window_update_opening_stream_1()
    {
        var bytes = new byte[12];
        new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, 1, 0).Write(bytes);
        Assert.Equal(new byte[] { 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 }, bytes);
    }

    [Fact]
    public void Encodes_fields_big_endian()
    {
        var bytes = new byte[12];
        new YamuxFrameHeader(YamuxFrameType.Data, YamuxFlags.Ack | YamuxFlags.Fin, 0x01020304, 0x00040000).Write(bytes);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x00, 0x04, 0x00, 0x00 }, bytes);
    }

    [Fact]
    public void Decodes_a_ping_and_a_go_away()
    {
        Assert.Null(YamuxFrameHeader.TryRead([0x00, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF], 1024, out YamuxFrameHeader ping));
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, 0xDEADBEEF), ping);

        Assert.Null(YamuxFrameHeader.TryRead([0x00, 0x03, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x01], 1024, out YamuxFrameHeader goAway));
        Assert.Equal(new YamuxFrameHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, (uint)YamuxGoAwayCode.ProtocolError), goAway);
    }

    [Fact]
    public void Round_trips_every_field()
    {
        var header = new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, uint.MaxValue, uint.MaxValue);
        var bytes = new byte[12];
        header.Write(bytes);
        Assert.Null(YamuxFrameHeader.TryRead(bytes, 0, out YamuxFrameHeader read));
        Assert.Equal(header, read);
    }

    [Fact]
    public void Rejects_an_unknown_version()
    {
        string? error = YamuxFrameHeader.TryRead([0x01, 0x00, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 0], 1024, out _);
        Assert.Contains("version 1", error);
    }

    [Fact]
    public void Rejects_an_unknown_type()
    {
        string? error = YamuxFrameHeader.TryRead([0x00, 0x04, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0, 0], 1024, out _);
        Assert.Contains("unknown frame type 4", error);
    }

    [Fact]
    public void Rejects_a_data_frame_larger_than_the_limit()
    {
        string? error = YamuxFrameHeader.TryRead([0x00, 0x00, 0x00, 0x00, 0, 0, 0, 1, 0, 0, 0x04, 0x01], 1024, out _);
        Assert.Contains("1025 bytes on stream 1 exceeds the maximum of 1024", error);
    }

    [Fact]
    public void Accepts_a_window_update_delta_above_the_data_limit()
    {
        Assert.Null(YamuxFrameHeader.TryRead([0x00, 0x01, 0x00, 0x00, 0, 0, 0, 1, 0x01, 0, 0, 0], 1024, out _));
    }

    [Fact]
    public void Rejects_a_ping_on_a_stream_and_data_on_stream_0()
    {
        Assert.Contains("stream 0", YamuxFrameHeader.TryRead([0x00, 0x02, 0x00, 0x01, 0, 0, 0, 5, 0, 0, 0, 0], 1024, out _));
        Assert.Contains("reserved for the session", YamuxFrameHeader.TryRead([0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0], 1024, out _));
    }

    [Fact]
    public void Ignores_unknown_flag_bits()
    {
        Assert.Null(YamuxFrameHeader.TryRead([0x00, 0x01, 0x80, 0x02, 0, 0, 0, 2, 0, 0, 0, 0], 1024, out YamuxFrameHeader header));
        Assert.True(header.HasFlag(YamuxFlags.Ack));
    }
}
