using Microsoft.Extensions.Time.Testing;
using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

public class YamuxReceiveWindowTests
{
    private const uint Initial = YamuxOptions.InitialWindow;
    private const uint Max = 16 * 1024 * 1024;
    private static readonly TimeSpan Rtt = TimeSpan.FromMilliseconds(10);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Starts_with_the_spec_window_of_256_KiB()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.Equal(256u * 1024, window.Window);
        Assert.Equal(256u * 1024, window.Credit);
    }

    [Fact]
    public void Rejects_data_beyond_the_credit()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.True(window.TryReceive(Initial));
        Assert.False(window.TryReceive(1));
    }

    [Fact]
    public void Sends_no_update_until_half_the_window_is_consumed()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.True(window.TryReceive(Initial));
        Assert.Equal(0u, window.Consume((Initial / 2) - 1, _time.GetTimestamp(), Rtt, _time));
        Assert.Equal(Initial / 2, window.Consume(1, _time.GetTimestamp(), TimeSpan.Zero, _time));
        Assert.Equal(Initial / 2, window.Credit);
        Assert.Equal(Initial / 2, window.Buffered);
    }

    [Fact]
    public void Doubles_the_window_when_a_cycle_took_less_than_four_round_trips()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.True(window.TryReceive(Initial));
        _time.Advance(Rtt * 3);
        uint delta = window.Consume(Initial, _time.GetTimestamp(), Rtt, _time);
        Assert.Equal(2 * Initial, window.Window);
        Assert.Equal(2 * Initial, delta);
        Assert.Equal(2 * Initial, window.Credit);
    }

    [Fact]
    public void Keeps_the_window_when_the_reader_is_slow()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.True(window.TryReceive(Initial));
        _time.Advance(Rtt * 5);
        Assert.Equal(Initial, window.Consume(Initial, _time.GetTimestamp(), Rtt, _time));
        Assert.Equal(Initial, window.Window);
    }

    [Fact]
    public void Does_not_tune_before_the_round_trip_is_known()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.True(window.TryReceive(Initial));
        Assert.Equal(Initial, window.Consume(Initial, _time.GetTimestamp(), TimeSpan.Zero, _time));
    }

    [Fact]
    public void Grows_no_further_than_the_maximum()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        for (int i = 0; i < 10; i++)
        {
            Assert.True(window.TryReceive(window.Credit));
            window.Consume(window.Buffered, _time.GetTimestamp(), Rtt, _time);
        }

        Assert.Equal(Max, window.Window);
        Assert.True(window.Credit + window.Buffered <= Max);
    }

    [Fact]
    public void Releases_everything_when_nobody_reads_any_more()
    {
        var window = new YamuxReceiveWindow(Max, 4, _time.GetTimestamp());
        Assert.True(window.TryReceive(1000));
        Assert.Equal(1000u, window.ReleaseAll());
        Assert.Equal(Initial, window.Credit);
    }
}
