using System.Net;

namespace Quids.Network.Transport.Memory;

/// <summary>
/// An in-process transport for tests and simulation: listeners live in a shared <see cref="MemoryNetwork"/>
/// and a connection is a pair of pipes per direction, with the same Abort, graceful dispose and
/// ConnectionClosed semantics as TCP. Endpoints are <see cref="MemoryEndPoint"/>s or fake
/// <see cref="IPEndPoint"/>s (port 0 gets a free port).
/// </summary>
internal sealed class MemoryTransport : ITransport
{
    /// <summary>Default of the per-pipe pause threshold: 1 MiB, like TCP's read buffer.</summary>
    public const long DefaultMaxBufferSize = 1024 * 1024;

    /// <summary>Default of the queue of dialed but not yet accepted connections: 512, like TCP's backlog.</summary>
    public const int DefaultBacklog = 512;

    // Free ports tried for a port-0 listen; a collision only happens once the port range has wrapped.
    private const int MaxPortAttempts = 16;

    private readonly MemoryNetwork _network;
    private readonly long _maxBufferSize;
    private readonly int _backlog;

    /// <summary>Creates a transport on <paramref name="network"/>.</summary>
    /// <param name="network">The registry shared by every transport that should reach this one.</param>
    /// <param name="maxBufferSize">Bytes a pipe holds before its writer waits. Defaults to 1 MiB.</param>
    /// <param name="backlog">Dialed connections queued before accept; more are refused. Defaults to 512.</param>
    public MemoryTransport(MemoryNetwork network, long maxBufferSize = DefaultMaxBufferSize, int backlog = DefaultBacklog)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        _network = network;
        _maxBufferSize = maxBufferSize;
        _backlog = backlog;
    }

    /// <inheritdoc />
    public ValueTask<ITransportConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_network.TryGet(endPoint, out MemoryTransportListener? listener))
        {
            throw new TransportConnectException(endPoint, "connection refused: nothing listens there");
        }

        // The dialer's end gets a fresh port on the same fake host, so each connection's endpoints differ.
        EndPoint local = endPoint is IPEndPoint ip
            ? new IPEndPoint(ip.Address, _network.NextPort())
            : new MemoryEndPoint($"dialer-{_network.NextPort()}");
        (MemoryConnection dialer, MemoryConnection accepted) = MemoryConnection.CreatePair(local, endPoint, _maxBufferSize);
        if (!listener.TryEnqueue(accepted))
        {
            dialer.Abort(null);
            accepted.Abort(null);
            throw new TransportConnectException(endPoint, "connection refused: the listener's backlog is full or it is closing");
        }

        return ValueTask.FromResult<ITransportConnection>(dialer);
    }

    /// <inheritdoc />
    public ITransportListener Listen(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        bool anyPort = endPoint is IPEndPoint { Port: 0 };
        for (int attempt = 0; attempt < MaxPortAttempts; attempt++)
        {
            EndPoint bound = anyPort ? new IPEndPoint(((IPEndPoint)endPoint).Address, _network.NextPort()) : endPoint;
            var listener = new MemoryTransportListener(_network, bound, _backlog);
            if (_network.TryAdd(bound, listener))
            {
                return listener;
            }

            if (!anyPort)
            {
                break;
            }
        }

        throw new TransportListenException(endPoint, "address already in use");
    }
}
