using System.Net;

namespace Quids.Network.Transport;

/// <summary>
/// Dials and listens for raw byte-stream connections on plain <see cref="EndPoint"/>s
/// (<see cref="IPEndPoint"/>, <see cref="DnsEndPoint"/>, or a transport's own kind); mapping
/// multiaddresses to endpoints is done above this layer.
/// </summary>
internal interface ITransport
{
    /// <summary>
    /// Opens a connection to <paramref name="endPoint"/>; fails with a <see cref="TransportConnectException"/>
    /// naming the endpoint when it cannot be reached in time.
    /// </summary>
    ValueTask<ITransportConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default);

    /// <summary>
    /// Binds <paramref name="endPoint"/> and starts listening; fails with a
    /// <see cref="TransportListenException"/> naming the endpoint when it cannot be bound.
    /// </summary>
    ITransportListener Listen(EndPoint endPoint);
}
