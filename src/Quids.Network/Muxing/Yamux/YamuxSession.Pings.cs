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

            if (!TryStartPingLocked(pong, out opaque))
            {
                throw new InvalidOperationException($"Yamux: {_options.MaxOutstandingPings} pings are already in flight.");
            }
        }

        return opaque;
    }

    /// <summary>Registers a ping (its pong completes <paramref name="pong"/>, if any) and queues it; false when too many are in flight.</summary>
    private bool TryStartPingLocked(TaskCompletionSource<TimeSpan>? pong, out uint opaque)
    {
        if (!_engine.TryStartPing(out opaque))
        {
            return false;
        }

        _pings[opaque] = pong;
        EnqueueControl(new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, opaque));
        return true;
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
        _ = TryStartPingLocked(null, out _); // Only feeds auto-tuning: with the ping budget used up, it is skipped.
    }
}
