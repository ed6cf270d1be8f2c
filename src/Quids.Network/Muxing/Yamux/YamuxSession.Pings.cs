namespace Quids.Network.Muxing.Yamux;

internal sealed partial class YamuxSession
{
    // Set by Start when PingOnStart asks for a round-trip measurement; cleared (under _gate) by the first stream.
    private bool _startPingDue;

    private uint SendPing(TaskCompletionSource<TimeSpan>? pong)
    {
        uint opaque;
        lock (_gate)
        {
            if (_isEnded)
            {
                throw SessionEnded();
            }

            if (!_engine.TryStartPing(out opaque))
            {
                throw new InvalidOperationException($"Yamux: {_options.MaxOutstandingPings} pings are already in flight.");
            }

            _pings[opaque] = pong;
        }

        EnqueueControl(new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, opaque));
        return opaque;
    }

    /// <summary>
    /// Sends the <see cref="YamuxOptions.PingOnStart"/> ping with the session's first stream, opened or accepted
    /// (caller holds <c>_gate</c>). The round trip only drives receive-window auto-tuning, which only a stream
    /// needs: a connection that never carries one (a dial that is closed again, an idle peer) then costs no
    /// ping and pong, and one that does measures the round trip alongside its first SYN, before any window fills.
    /// </summary>
    private void StartPingLocked()
    {
        if (!_startPingDue)
        {
            return;
        }

        _startPingDue = false;
        if (_engine.TryStartPing(out uint opaque))
        {
            _pings[opaque] = null;
            EnqueueControl(new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, opaque));
        }
    }
}
