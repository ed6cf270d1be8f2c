using System.Net;
using System.Net.Sockets;

namespace Quids.Network.Transport.Tcp;

/// <summary>A listening TCP socket; each accepted socket becomes a started <see cref="TcpConnection"/>.</summary>
internal sealed class TcpTransportListener : ITransportListener
{
    private readonly Socket _socket;
    private readonly TcpTransportOptions _options;
    private volatile bool _disposed;

    public TcpTransportListener(Socket listenSocket, TcpTransportOptions options)
    {
        _socket = listenSocket;
        _options = options;
        LocalEndPoint = listenSocket.LocalEndPoint!;
    }

    /// <inheritdoc />
    public EndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public async ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (!_disposed)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
            {
                continue; // The dialer gave up while queued; that is its business, not the listener's.
            }
            catch (Exception exception) when (_disposed && exception is SocketException or ObjectDisposedException)
            {
                break; // Disposing the socket is how a pending accept is stopped.
            }

            socket.NoDelay = _options.NoDelay;
            return TcpConnection.Start(socket, _options);
        }

        return null;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
