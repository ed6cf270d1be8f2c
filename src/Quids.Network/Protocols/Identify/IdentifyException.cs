namespace Quids.Network.Protocols.Identify;

/// <summary>Thrown when an identify exchange fails or the remote's message is unacceptable; see <see cref="Reason"/>.</summary>
public sealed class IdentifyException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/> with a message naming what was wrong.</summary>
    public IdentifyException(IdentifyFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception with <see cref="IdentifyFailure.Malformed"/>.</summary>
    public IdentifyException()
        : this(IdentifyFailure.Malformed, "identify: the exchange failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="IdentifyFailure.Malformed"/> and a message.</summary>
    public IdentifyException(string message)
        : this(IdentifyFailure.Malformed, message)
    {
    }

    /// <summary>Creates an exception with <see cref="IdentifyFailure.Malformed"/>, a message and a cause.</summary>
    public IdentifyException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = IdentifyFailure.Malformed;
    }

    /// <summary>Why identify failed.</summary>
    public IdentifyFailure Reason { get; }
}
