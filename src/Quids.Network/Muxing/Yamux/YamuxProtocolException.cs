namespace Quids.Network.Muxing.Yamux;

/// <summary>A Yamux session ended because one side broke the protocol (or reported, by Go Away, that we did).</summary>
public sealed class YamuxProtocolException : IOException
{
    /// <summary>Creates the exception; the message is prefixed with "Yamux protocol error: ".</summary>
    public YamuxProtocolException(string message, YamuxGoAwayCode code = YamuxGoAwayCode.ProtocolError)
        : base("Yamux protocol error: " + message)
    {
        Code = code;
    }

    /// <summary>The Go Away code that goes (or came) with this error.</summary>
    public YamuxGoAwayCode Code { get; }
}
