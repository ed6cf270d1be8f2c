namespace Quids.Network.Muxing.Yamux;

/// <summary>The error codes a Go Away frame carries in its length field (spec "Session termination").</summary>
public enum YamuxGoAwayCode : uint
{
    /// <summary>Normal termination.</summary>
    Normal = 0,

    /// <summary>The sender saw a protocol violation.</summary>
    ProtocolError = 1,

    /// <summary>The sender failed internally.</summary>
    InternalError = 2,
}
