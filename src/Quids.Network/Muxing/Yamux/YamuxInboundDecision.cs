namespace Quids.Network.Muxing.Yamux;

/// <summary>What to do with a stream the peer opens (a frame with SYN).</summary>
internal enum YamuxInboundDecision
{
    /// <summary>Create it and queue it for the application.</summary>
    Accept,

    /// <summary>Refuse it with RST: too many unaccepted streams (ACK backlog).</summary>
    ResetBacklogFull,

    /// <summary>Refuse it with RST: the peer has the maximum number of streams open.</summary>
    ResetTooManyStreams,

    /// <summary>Refuse it with RST: we are closing the session.</summary>
    ResetClosing,

    /// <summary>Protocol error: the id has our parity or is still in use.</summary>
    ProtocolError,
}
