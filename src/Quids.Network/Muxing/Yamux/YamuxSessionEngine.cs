namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// The decisions of a Yamux session, with no I/O: stream id allocation and parity, stream limits and the ACK
/// backlog, Go Away state, and ping round trips measured with the injected <see cref="TimeProvider"/>.
/// Not thread-safe: the session serialises calls under its lock.
/// </summary>
internal sealed class YamuxSessionEngine
{
    private readonly YamuxOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<uint, long> _pingStarts = [];
    private uint _nextOutboundId;
    private uint _nextPingId;

    public YamuxSessionEngine(bool isClient, YamuxOptions options, TimeProvider timeProvider)
    {
        IsClient = isClient;
        _options = options;
        _timeProvider = timeProvider;

        // Spec: "The client side should use odd ID's, and the server even."
        _nextOutboundId = isClient ? 1u : 2u;
    }

    public bool IsClient { get; }

    public int OutboundStreams { get; private set; }

    public int InboundStreams { get; private set; }

    /// <summary>Inbound streams not yet accepted by the application.</summary>
    public int UnacceptedInbound { get; private set; }

    public bool RemoteGoAway { get; private set; }

    public bool LocalGoAway { get; private set; }

    /// <summary>The last measured round trip; zero until the first pong.</summary>
    public TimeSpan RoundTrip { get; private set; }

    public bool IsOwnId(uint streamId) => (streamId & 1) == (IsClient ? 1u : 0u);

    /// <summary>True when <paramref name="streamId"/> has our parity but we never allocated it.</summary>
    public bool IsUnallocatedOwnId(uint streamId) => IsOwnId(streamId) && streamId >= _nextOutboundId;

    /// <summary>Allocates the id of a new outbound stream, or returns why none can be opened.</summary>
    public Exception? TryOpenOutbound(out uint streamId)
    {
        streamId = 0;
        if (RemoteGoAway)
        {
            return new YamuxSessionClosedException("Yamux: the peer sent Go Away; no new streams can be opened on this session.");
        }

        if (LocalGoAway)
        {
            return new YamuxSessionClosedException("Yamux: the session is closing; no new streams can be opened.");
        }

        if (OutboundStreams >= _options.MaxOutboundStreams)
        {
            return new YamuxStreamLimitException($"Yamux: {OutboundStreams} outbound streams are open, the maximum is {_options.MaxOutboundStreams}.");
        }

        if (_nextOutboundId > uint.MaxValue - 2)
        {
            return new YamuxSessionClosedException("Yamux: this session has used all its stream ids; open a new connection.");
        }

        streamId = _nextOutboundId;
        _nextOutboundId += 2;
        OutboundStreams++;
        return null;
    }

    /// <summary>Decides about a SYN from the peer; on <see cref="YamuxInboundDecision.Accept"/> the stream is counted.</summary>
    public YamuxInboundDecision OnInboundSyn(uint streamId, bool alreadyOpen)
    {
        if (alreadyOpen || IsOwnId(streamId))
        {
            return YamuxInboundDecision.ProtocolError;
        }

        if (LocalGoAway)
        {
            return YamuxInboundDecision.ResetClosing;
        }

        if (InboundStreams >= _options.MaxInboundStreams)
        {
            return YamuxInboundDecision.ResetTooManyStreams;
        }

        if (UnacceptedInbound >= _options.AckBacklog)
        {
            return YamuxInboundDecision.ResetBacklogFull;
        }

        InboundStreams++;
        UnacceptedInbound++;
        return YamuxInboundDecision.Accept;
    }

    public void OnInboundAccepted() => UnacceptedInbound--;

    public void OnStreamRemoved(bool outbound, bool wasAccepted)
    {
        if (outbound)
        {
            OutboundStreams--;
        }
        else
        {
            InboundStreams--;
            if (!wasAccepted)
            {
                UnacceptedInbound--;
            }
        }
    }

    public void OnRemoteGoAway() => RemoteGoAway = true;

    public void OnLocalGoAway() => LocalGoAway = true;

    /// <summary>Starts a ping; false when too many are in flight.</summary>
    public bool TryStartPing(out uint opaque)
    {
        opaque = 0;
        if (_pingStarts.Count >= _options.MaxOutstandingPings)
        {
            return false;
        }

        opaque = _nextPingId++;
        _pingStarts[opaque] = _timeProvider.GetTimestamp();
        return true;
    }

    /// <summary>Completes a ping with the peer's echo; null for an opaque value we did not send (ignored, as go-yamux does).</summary>
    public TimeSpan? OnPong(uint opaque)
    {
        if (!_pingStarts.Remove(opaque, out long start))
        {
            return null;
        }

        RoundTrip = _timeProvider.GetElapsedTime(start);
        return RoundTrip;
    }

    public void CancelPing(uint opaque) => _pingStarts.Remove(opaque);
}
