namespace Quids.Network.Protocols.Ping;

/// <summary>Thrown when a ping fails or the remote breaks the <c>/ipfs/ping/1.0.0</c> rules; see <see cref="Reason"/>.</summary>
public sealed class PingException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/> with a message naming what was wrong.</summary>
    public PingException(PingFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception with <see cref="PingFailure.StreamClosed"/>.</summary>
    public PingException()
        : this(PingFailure.StreamClosed, "/ipfs/ping/1.0.0: the ping failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="PingFailure.StreamClosed"/> and a message.</summary>
    public PingException(string message)
        : this(PingFailure.StreamClosed, message)
    {
    }

    /// <summary>Creates an exception with <see cref="PingFailure.StreamClosed"/>, a message and a cause.</summary>
    public PingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = PingFailure.StreamClosed;
    }

    /// <summary>Why the ping failed.</summary>
    public PingFailure Reason { get; }
}
