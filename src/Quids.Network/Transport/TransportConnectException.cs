using System.Net;

namespace Quids.Network.Transport;

/// <summary>A dial failed: refused, unreachable, unresolvable, or not done within the connect timeout.</summary>
public sealed class TransportConnectException : IOException
{
    /// <summary>Creates the error for <paramref name="endPoint"/> with what went wrong.</summary>
    public TransportConnectException(EndPoint endPoint, string reason, Exception? innerException = null)
        : base($"Transport: could not connect to {endPoint}: {reason}", innerException)
    {
        EndPoint = endPoint;
    }

    /// <summary>The endpoint that was dialed.</summary>
    public EndPoint EndPoint { get; }
}
