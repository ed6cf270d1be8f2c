using System.Net;
using System.Net.Sockets;

namespace Quids.Network.Transport.Tcp;

/// <summary>
/// TCP over IPv4 and IPv6. Dials <see cref="IPEndPoint"/>s and <see cref="DnsEndPoint"/>s (each resolved
/// address tried in order); listens on <see cref="IPEndPoint"/>s, dual stack when bound to <c>::</c>.
/// </summary>
internal sealed class TcpTransport : ITransport
{
    private readonly TcpTransportOptions _options;

    /// <summary>Creates the transport; <paramref name="options"/> are validated here, once.</summary>
    public TcpTransport(TcpTransportOptions? options = null)
    {
        _options = options ?? new TcpTransportOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public async ValueTask<ITransportConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            (IPAddress[] addresses, int port) = await ResolveAsync(endPoint, timeout.Token).ConfigureAwait(false);
            Exception? lastError = null;
            foreach (IPAddress address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = _options.NoDelay };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
                    return TcpConnection.Start(socket, _options);
                }
                catch (SocketException exception)
                {
                    socket.Dispose();
                    lastError = exception;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            string tried = string.Join(", ", addresses.Select(a => a.ToString()));
            throw new TransportConnectException(endPoint, $"{lastError?.Message} (tried {tried})", lastError);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportConnectException(endPoint, $"timed out after {_options.ConnectTimeout.TotalSeconds} s", exception);
        }
    }

    /// <inheritdoc />
    public ITransportListener Listen(EndPoint endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            throw new TransportListenException(endPoint, "TCP listens only on IP endpoints; resolve names before listening");
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                // "::" means every address of both families, as the seed's bind_address promises.
                socket.DualMode = true;
            }

            socket.Bind(ip);
            socket.Listen(_options.ListenBacklog);
            return new TcpTransportListener(socket, _options);
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new TransportListenException(endPoint, exception.Message, exception);
        }
    }

    private static async ValueTask<(IPAddress[] Addresses, int Port)> ResolveAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        switch (endPoint)
        {
            case IPEndPoint ip:
                return ([ip.Address], ip.Port);
            case DnsEndPoint dns:
                IPAddress[] addresses;
                try
                {
                    addresses = await Dns.GetHostAddressesAsync(dns.Host, dns.AddressFamily, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException exception)
                {
                    throw new TransportConnectException(endPoint, $"name resolution failed: {exception.Message}", exception);
                }

                if (addresses.Length == 0)
                {
                    throw new TransportConnectException(endPoint, "the name resolved to no addresses");
                }

                return (addresses, dns.Port);
            default:
                throw new TransportConnectException(endPoint, $"TCP cannot dial a {endPoint.GetType().Name}");
        }
    }
}
