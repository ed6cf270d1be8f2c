namespace Quids.Network.Multistream;

/// <summary>
/// Thrown when multistream-select cannot agree on a protocol: the remote supports none of the proposals,
/// or it broke the multistream-select 1.0 wire rules (see <see cref="Reason"/>).
/// </summary>
public sealed class ProtocolNegotiationException : Exception
{
    /// <summary>Creates an exception for <paramref name="reason"/> with a message naming what was wrong.</summary>
    public ProtocolNegotiationException(NegotiationFailure reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Creates an exception with <see cref="NegotiationFailure.NoneSupported"/>.</summary>
    public ProtocolNegotiationException()
        : this(NegotiationFailure.NoneSupported, "multistream-select: no protocol could be agreed on.")
    {
    }

    /// <summary>Creates an exception with <see cref="NegotiationFailure.NoneSupported"/> and a message.</summary>
    public ProtocolNegotiationException(string message)
        : this(NegotiationFailure.NoneSupported, message)
    {
    }

    /// <summary>Creates an exception with <see cref="NegotiationFailure.NoneSupported"/>, a message and a cause.</summary>
    public ProtocolNegotiationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = NegotiationFailure.NoneSupported;
    }

    /// <summary>Why negotiation failed.</summary>
    public NegotiationFailure Reason { get; }

    /// <summary>
    /// The protocols the dialer proposed, in order, when <see cref="Reason"/> is
    /// <see cref="NegotiationFailure.NoneSupported"/>; empty otherwise.
    /// </summary>
    public IReadOnlyList<string> Proposed { get; init; } = [];
}
