namespace Quids.Network.Protocols.Kad;

/// <summary>Thrown when a Kademlia exchange fails or a remote's message is unacceptable; see <see cref="Reason"/>.</summary>
public sealed class KadException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/> with a message naming what was wrong.</summary>
    public KadException(KadFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception with <see cref="KadFailure.Malformed"/>.</summary>
    public KadException()
        : this(KadFailure.Malformed, "kad: the exchange failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="KadFailure.Malformed"/> and a message.</summary>
    public KadException(string message)
        : this(KadFailure.Malformed, message)
    {
    }

    /// <summary>Creates an exception with <see cref="KadFailure.Malformed"/>, a message and a cause.</summary>
    public KadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = KadFailure.Malformed;
    }

    /// <summary>Why the exchange failed.</summary>
    public KadFailure Reason { get; }
}
