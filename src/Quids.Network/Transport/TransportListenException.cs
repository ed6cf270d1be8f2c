using System.Net;

namespace Quids.Network.Transport;

/// <summary>A listen failed: the endpoint is in use, not local, or not supported by the transport.</summary>
internal sealed class TransportListenException : IOException
{
    /// <summary>Creates the error for <paramref name="endPoint"/> with what went wrong.</summary>
    public TransportListenException(EndPoint endPoint, string reason, Exception? innerException = null)
        : base($"Transport: could not listen on {endPoint}: {reason}", innerException)
    {
        EndPoint = endPoint;
    }

    /// <summary>The endpoint that was to be bound.</summary>
    public EndPoint EndPoint { get; }
}
