using System.Net;

namespace Quids.Network.Transport;

/// <summary>Accepts inbound connections on one bound endpoint. Disposing it stops accepting.</summary>
internal interface ITransportListener : IAsyncDisposable
{
    /// <summary>The bound endpoint; when port 0 was asked for, this holds the port actually bound.</summary>
    EndPoint LocalEndPoint { get; }

    /// <summary>
    /// Waits for the next inbound connection; returns <see langword="null"/> once the listener is disposed.
    /// </summary>
    ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default);
}
