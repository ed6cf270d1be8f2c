using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Quids.Network.Diagnostics;

namespace Quids.Network.Protocols.Mdns;

internal sealed partial class MdnsService
{
    /// <summary>Multicast hop limit: 255, which RFC 6762 §11 requires so receivers can tell link-local traffic.</summary>
    private const int MulticastTimeToLive = 255;

    private readonly List<MdnsSocket> _sockets = [];

    // One send at a time: choosing the outgoing interface is a socket option, set just before each send.
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private void OpenSockets()
    {
        NetworkInterface[] interfaces = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.SupportsMulticast && n.OperationalStatus != OperationalStatus.Down)
            .Where(n => !_options.LoopbackOnly || n.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            .ToArray();
        var v4 = new List<MdnsInterface>();
        var v6 = new List<MdnsInterface>();
        foreach (NetworkInterface nic in interfaces)
        {
            IPInterfaceProperties properties = nic.GetIPProperties();
            if (nic.Supports(NetworkInterfaceComponent.IPv4)
                && properties.UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork) is { } address)
            {
                v4.Add(new MdnsInterface(nic.Name, properties.GetIPv4Properties().Index, address.Address));
            }

            if (nic.Supports(NetworkInterfaceComponent.IPv6))
            {
                v6.Add(new MdnsInterface(nic.Name, properties.GetIPv6Properties().Index, null));
            }
        }

        if (v4.Count == 0)
        {
            throw new MdnsException(
                $"mdns: no {(_options.LoopbackOnly ? "loopback " : "")}network interface is up with multicast and an IPv4 address (saw {string.Join(", ", NetworkInterface.GetAllNetworkInterfaces().Select(n => $"{n.Name}: {n.OperationalStatus}, multicast {n.SupportsMulticast}"))}).");
        }

        _sockets.Add(Open(AddressFamily.InterNetwork, MdnsProtocol.MulticastGroupV4, v4));
        if (_options.UseIPv6 && v6.Count > 0 && Socket.OSSupportsIPv6)
        {
            try
            {
                _sockets.Add(Open(AddressFamily.InterNetworkV6, MdnsProtocol.MulticastGroupV6, v6));
            }
            catch (MdnsException ex)
            {
                // IPv4 alone finds every libp2p peer on the link (js-libp2p only speaks IPv4 mDNS), so a host
                // without IPv6 multicast still gets discovery.
                MdnsLog.IPv6Unavailable(_logger, ex.Message);
            }
        }
    }

    private MdnsSocket Open(AddressFamily family, IPAddress group, List<MdnsInterface> interfaces)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Several responders on one host share 5353: every one of them receives each multicast datagram.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            bool v4 = family == AddressFamily.InterNetwork;
            if (!v4)
            {
                socket.DualMode = false;
            }

            socket.Bind(new IPEndPoint(v4 ? IPAddress.Any : IPAddress.IPv6Any, _options.Port));
            SocketOptionLevel level = v4 ? SocketOptionLevel.IP : SocketOptionLevel.IPv6;
            socket.SetSocketOption(level, SocketOptionName.MulticastTimeToLive, MulticastTimeToLive);

            // Other nodes on this same host only hear us through the loopback of our own multicast.
            socket.SetSocketOption(level, SocketOptionName.MulticastLoopback, true);
            var joined = new List<MdnsInterface>();
            var failures = new List<string>();
            foreach (MdnsInterface nic in interfaces)
            {
                try
                {
                    object membership = v4 ? new MulticastOption(group, nic.Address!) : new IPv6MulticastOption(group, nic.Index);
                    socket.SetSocketOption(level, SocketOptionName.AddMembership, membership);
                    joined.Add(nic);
                }
                catch (SocketException ex)
                {
                    failures.Add($"{nic}: {ex.SocketErrorCode}");
                }
            }

            if (joined.Count == 0)
            {
                throw new MdnsException($"mdns: could not join {group} on any interface ({string.Join(", ", failures)}).");
            }

            return new MdnsSocket(socket, group, joined);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new MdnsException($"mdns: cannot open the {family} socket on port {_options.Port}: {ex.SocketErrorCode}.", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private string DescribeInterfaces() =>
        string.Join("; ", _sockets.Select(s => $"{s.Group} via {string.Join(", ", s.Interfaces)}"));

    private async Task SendToAllAsync(byte[] message, CancellationToken cancellationToken)
    {
        foreach (MdnsSocket socket in _sockets)
        {
            await SendAsync(socket, message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(MdnsSocket socket, byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            return; // Stopping while a send was on its way: an unsent query or answer is of no use any more.
        }

        try
        {
            foreach (MdnsInterface nic in socket.Interfaces)
            {
                try
                {
                    if (nic.Address is { } address)
                    {
                        socket.Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address.GetAddressBytes());
                    }
                    else
                    {
                        socket.Socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, nic.Index);
                    }

                    var destination = nic.Address is null
                        ? new IPEndPoint(new IPAddress(socket.Group.GetAddressBytes(), nic.Index), _options.Port)
                        : new IPEndPoint(socket.Group, _options.Port);
                    await socket.Socket.SendToAsync(message, SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    // One interface that cannot send (no route, link down) must not keep the others silent.
                    MdnsLog.SendFailed(_logger, socket.Group, nic.ToString(), ex.SocketErrorCode.ToString());
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: an unsent query or answer is of no use any more.
        }
        finally
        {
            ReleaseSendLock();
        }
    }

    private void ReleaseSendLock()
    {
        try
        {
            _sendLock.Release();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while this send finished; no one waits on the lock any more.
        }
    }

    private async Task ReceiveLoopAsync(MdnsSocket socket, CancellationToken cancellationToken)
    {
        // One byte more than the limit: a datagram that fills the buffer was longer than mDNS allows.
        byte[] buffer = new byte[MdnsProtocol.MaxMessageSize + 1];
        EndPoint any = socket.Group.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(IPAddress.Any, 0)
            : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
            {
                // An oversized datagram (Windows reports it) or an ICMP error from an earlier send: neither ends the socket.
                MdnsLog.DatagramDropped(_logger, null, $"mdns: receive reported {ex.SocketErrorCode}");
                continue;
            }
            catch (SocketException ex)
            {
                MdnsLog.ReceiveFailed(_logger, socket.Family, ex.SocketErrorCode.ToString());
                return;
            }

            if (received.ReceivedBytes > MdnsProtocol.MaxMessageSize)
            {
                MdnsLog.DatagramDropped(_logger, received.RemoteEndPoint, $"mdns: datagram over the limit of {MdnsProtocol.MaxMessageSize} bytes");
                continue;
            }

            try
            {
                await HandleDatagramAsync(socket, buffer.AsMemory(0, received.ReceivedBytes), received.RemoteEndPoint).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
