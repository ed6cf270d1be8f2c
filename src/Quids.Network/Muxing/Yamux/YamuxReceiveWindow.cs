namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// Receive-side flow control of one stream, with no I/O. The peer may send <see cref="Credit"/> more bytes;
/// received bytes stay <see cref="Buffered"/> until the application consumes them; consumed bytes are
/// credited back in one window update once they reach half the window, which keeps updates rare. Credit plus
/// buffered never exceeds <see cref="Window"/>, so the receive pipe is bounded by the window.
/// Auto-tuning (go-yamux, js-yamux): if a whole update cycle took less than a few round trips, the reader is
/// faster than the window lets the sender be, so the window doubles, up to the maximum.
/// Not thread-safe: the owning stream serialises calls.
/// </summary>
internal sealed class YamuxReceiveWindow
{
    private readonly uint _maxWindow;
    private readonly int _autoTuneRoundTrips;
    private long _epochStart;

    public YamuxReceiveWindow(uint maxWindow, int autoTuneRoundTrips, long now)
    {
        _maxWindow = maxWindow;
        _autoTuneRoundTrips = autoTuneRoundTrips;
        Window = YamuxOptions.InitialWindow;
        Credit = YamuxOptions.InitialWindow;
        _epochStart = now;
    }

    /// <summary>Current window size in bytes (grows by auto-tuning).</summary>
    public uint Window { get; private set; }

    /// <summary>Bytes the peer may still send before our next window update.</summary>
    public uint Credit { get; private set; }

    /// <summary>Bytes received and not yet consumed by the application.</summary>
    public uint Buffered { get; private set; }

    /// <summary>Accounts for an incoming data frame; false when it exceeds the peer's credit (a protocol violation).</summary>
    public bool TryReceive(uint length)
    {
        if (length > Credit)
        {
            return false;
        }

        Credit -= length;
        Buffered += length;
        return true;
    }

    /// <summary>
    /// Accounts for bytes the application consumed and returns the window update to send (0 = none yet).
    /// </summary>
    /// <param name="consumed">Bytes consumed since the last call.</param>
    /// <param name="now">A <see cref="TimeProvider.GetTimestamp"/> value.</param>
    /// <param name="roundTrip">The session's measured round trip; zero when unknown (no tuning then).</param>
    /// <param name="timeProvider">Converts timestamps to elapsed time.</param>
    public uint Consume(uint consumed, long now, TimeSpan roundTrip, TimeProvider timeProvider)
    {
        Buffered -= Math.Min(consumed, Buffered);
        uint pending = Window - Credit - Buffered;
        if (pending < Window / 2)
        {
            return 0;
        }

        if (roundTrip > TimeSpan.Zero
            && Window < _maxWindow
            && timeProvider.GetElapsedTime(_epochStart, now) < roundTrip * _autoTuneRoundTrips)
        {
            Window = (uint)Math.Min((ulong)Window * 2, _maxWindow);
        }

        _epochStart = now;
        uint delta = Window - Credit - Buffered;
        Credit += delta;
        return delta;
    }

    /// <summary>Returns everything to the peer at once when nobody will read any more (local close or reset of the reader).</summary>
    public uint ReleaseAll()
    {
        Buffered = 0;
        uint delta = Window - Credit;
        Credit = Window;
        return delta;
    }
}
