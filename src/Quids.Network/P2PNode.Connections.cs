using System.Collections.Concurrent;
using System.Net;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;

namespace Quids.Network;

public sealed partial class P2PNode
{
    private readonly ConcurrentDictionary<string, Multiaddress> _persistent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Multiaddress> _bootstrap = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<P2PConnection>> _pendingDials = new(StringComparer.Ordinal);

    /// <summary>
    /// Connects to the peer at <paramref name="host"/>:<paramref name="port"/> (an IPv4 or IPv6 address or a DNS
    /// name), or returns the existing connection to it. A <paramref name="persistent"/> peer is re-dialled with
    /// exponential backoff and jitter whenever its connection is lost, until the node stops.
    /// </summary>
    /// <exception cref="IOException">The connection failed: TCP (<c>TransportConnectException</c>), the handshake
    /// (<see cref="ConnectionUpgradeException"/>), or the connection limit (<see cref="ConnectionLimitException"/>).</exception>
    public Task<P2PConnection> ConnectToPeerAsync(string host, int port, bool persistent = false, CancellationToken cancellationToken = default) =>
        ConnectToPeerAsync(ToMultiaddress(host, port), persistent, cancellationToken);

    /// <summary>
    /// Connects to the peer at a multiaddress such as <c>/ip4/10.0.0.1/tcp/4001/p2p/12D3KooW…</c>; with
    /// <c>/p2p/</c>, the connection fails unless the remote proves it is that peer.
    /// </summary>
    /// <exception cref="IOException">The connection failed; see <see cref="ConnectToPeerAsync(string, int, bool, CancellationToken)"/>.</exception>
    public async Task<P2PConnection> ConnectToPeerAsync(Multiaddress address, bool persistent = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        RunningSwarm();
        if (persistent)
        {
            AddPersistent(address);
        }

        return await ConnectAsync(address, SourceOf(address), cancellationToken);
    }

    /// <summary>
    /// Connects (or finds the connection) and records the outcome in the address book: a success adds
    /// <paramref name="address"/> under <paramref name="source"/> (<see cref="AddressSource.None"/>: the peer is
    /// already there), a failure starts the peer's backoff.
    /// </summary>
    private async Task<P2PConnection> ConnectAsync(Multiaddress address, AddressSource source, CancellationToken cancellationToken)
    {
        var swarm = RunningSwarm();
        if (FindConnection(address) is { } existing)
        {
            return existing;
        }

        // Concurrent calls for one address share one dial.
        var dial = _pendingDials.GetOrAdd(address.ToString(), _ => DialAsync(swarm, address, source, _stopping.Token));
        try
        {
            return await dial.WaitAsync(cancellationToken);
        }
        finally
        {
            if (dial.IsCompleted)
            {
                _pendingDials.TryRemove(new KeyValuePair<string, Task<P2PConnection>>(address.ToString(), dial));
            }
        }
    }

    private AddressSource SourceOf(Multiaddress address) =>
        _bootstrap.ContainsKey(address.ToString()) ? AddressSource.Bootstrap : AddressSource.Manual;

    private async Task<P2PConnection> DialAsync(Swarm swarm, Multiaddress address, AddressSource source, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var connection = new P2PConnection(address, ConnectionDirection.Outbound, _options.TimeProvider);
        connection.SetState(ConnectionState.Connecting);
        try
        {
            var network = await swarm.DialAsync(address, () => connection.SetState(ConnectionState.Handshaking), connection, cancellationToken);
            RecordDialSuccess(network.RemotePeerId, address, source);
            if (_connections.TryGetValue(network.Id, out var kept))
            {
                if (kept != connection)
                {
                    // Another connection to this peer won (simultaneous dials); ours was closed.
                    connection.SetState(ConnectionState.Disconnected);
                }

                return kept;
            }

            // Ours lost to a simultaneous connection to the same peer and is already closed. The winner may still
            // be finishing its handshake on this side (the peer can close its copy of ours first): wait for it.
            return await WaitForPeerAsync(network.RemotePeerId, _options.HandshakeTimeout, cancellationToken)
                ?? throw new IOException($"The connection to {address} ended during setup.");
        }
        catch (Exception e)
        {
            if (e is ConnectionUpgradeException { RemotePeerId: { } remote } &&
                await WaitForPeerAsync(remote, _options.HandshakeTimeout, cancellationToken) is { } winner)
            {
                // The peer dialed us at the same moment and closed this connection as the one not kept: the
                // peer is connected all the same, over the other connection.
                connection.SetState(ConnectionState.Disconnected);
                return winner;
            }

            connection.SetState(ConnectionState.Error, e);
            Interlocked.Increment(ref _errors);
            if (address.GetPeerId() is { } peer)
            {
                _book?.RecordFailure(peer, address);
            }

            NodeLog.DialFailed(_logger, address.ToString(), e.Message);
            throw;
        }
    }

    private async Task<P2PConnection?> WaitForPeerAsync(PeerId peer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _options.TimeProvider.GetUtcNow() + timeout;
        while (true)
        {
            if (FindConnection(peer) is { } connection)
            {
                return connection;
            }

            if (_options.TimeProvider.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), _options.TimeProvider, cancellationToken);
        }
    }

    /// <summary>
    /// Adds a bootstrap peer: connected at start (or now, if running), kept connected, and the first peer
    /// discovery asks for others (see <see cref="DiscoverPeersAsync"/>).
    /// </summary>
    public void AddBootstrapPeer(string host, int port) => AddBootstrapPeer(ToMultiaddress(host, port));

    /// <summary>Adds a bootstrap peer by multiaddress.</summary>
    public void AddBootstrapPeer(Multiaddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.TryGetTcpEndPoint(out _))
        {
            throw new ArgumentException($"Bootstrap peer {address} is not a /ip4|ip6|dns/…/tcp/… address.", nameof(address));
        }

        _bootstrap.TryAdd(address.ToString(), address);
        if (address.GetPeerId() is { } peer)
        {
            _book?.Add(peer, [address.WithoutPeerId()], AddressSource.Bootstrap);
        }

        AddPersistent(address);
    }

    private void AddPersistent(Multiaddress address)
    {
        if (_persistent.TryAdd(address.ToString(), address) && IsRunning)
        {
            lock (_background)
            {
                _background.Add(KeepConnectedAsync(address, _stopping.Token));
            }
        }
    }

    /// <summary>Keeps one peer connected: re-dials after a loss, backing off exponentially with jitter on failures.</summary>
    private async Task KeepConnectedAsync(Multiaddress address, CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (FindConnection(address) is { Network: { } network })
                {
                    failures = 0;
                    await network.Completion.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                    continue;
                }

                await ConnectAsync(address, SourceOf(address), cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                var delay = ReconnectDelay(failures);
                NodeLog.ReconnectScheduled(_logger, address.ToString(), failures, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _options.TimeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Initial delay doubled per failure, capped, then scaled by a random factor in [0.8, 1.2).</summary>
    internal TimeSpan ReconnectDelay(int failures)
    {
        double exponential = _options.ReconnectInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        double capped = Math.Min(exponential, _options.ReconnectMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    private P2PConnection? FindConnection(Multiaddress address)
    {
        if (address.GetPeerId() is { } peer)
        {
            return FindConnection(peer);
        }

        if (!address.TryGetTcpEndPoint(out var endPoint))
        {
            return null;
        }

        (string host, int port) = endPoint is DnsEndPoint dns ? (dns.Host, dns.Port) : (((IPEndPoint)endPoint).Address.ToString(), ((IPEndPoint)endPoint).Port);
        return FindConnection(host, port, ResolveQuietly(host));
    }

    private P2PConnection? FindConnection(PeerId peer) =>
        _swarm?.FindConnection(peer) is { } network && _connections.TryGetValue(network.Id, out var connection) ? connection : null;

    private P2PConnection? FindConnection(string host, int port, IReadOnlyCollection<IPAddress> addresses)
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.State != ConnectionState.Connected)
            {
                continue;
            }

            if (connection.Matches(addresses, host, port))
            {
                return connection;
            }

            // The peer may have dialed us from an ephemeral port: match the addresses it listens on.
            var info = connection.Network is { } network ? _identify?.GetRemoteInfoAsync(network) : null;
            if (info is { IsCompletedSuccessfully: true, Result: { } identified } &&
                identified.ListenAddresses.Any(a => a.TryGetTcpEndPoint(out var ep) && ep is IPEndPoint ip && ip.Port == port && addresses.Contains(ip.Address)))
            {
                return connection;
            }
        }

        return null;
    }

    private static IReadOnlyCollection<IPAddress> ResolveQuietly(string host)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return [ip];
        }

        try
        {
            return Dns.GetHostAddresses(host);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // An unknown name matches no connection; the caller reports "not connected".
            return [];
        }
    }

    private void OnConnectionOpened(NetworkConnection network)
    {
        var connection = network.Owner as P2PConnection ?? new P2PConnection(
            network.RemoteAddress ?? Multiaddress.Parse("/ip4/0.0.0.0/tcp/0"), network.Direction, _options.TimeProvider);
        _connections[network.Id] = connection;
        connection.Attach(network);
        NodeLog.PeerConnected(_logger, network.RemotePeerId, connection.Address, connection.Port, network.Direction);
        Raise(PeerConnected, new PeerEventArgs(connection), nameof(PeerConnected));
        if (network.Completion.IsCompleted && _connections.TryRemove(network.Id, out _))
        {
            Closed(connection, network, null);
        }
    }

    private void OnConnectionClosed(NetworkConnection network, Exception? reason)
    {
        if (_connections.TryRemove(network.Id, out var connection))
        {
            Closed(connection, network, reason);
        }
    }

    private void Closed(P2PConnection connection, NetworkConnection network, Exception? reason)
    {
        Interlocked.Add(ref _closedBytesSent, network.BytesSent);
        Interlocked.Add(ref _closedBytesReceived, network.BytesReceived);
        if (reason is not null)
        {
            Interlocked.Increment(ref _errors);
        }

        connection.SetState(reason is null ? ConnectionState.Disconnected : ConnectionState.Error, reason);
        NodeLog.PeerDisconnected(_logger, network.RemotePeerId, reason?.Message ?? "closed");
        Raise(PeerDisconnected, new PeerEventArgs(connection, reason), nameof(PeerDisconnected));
    }

    private void Raise(EventHandler<PeerEventArgs>? handler, PeerEventArgs args, string name)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_logger, name, e);
        }
    }

    private static Multiaddress ToMultiaddress(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (IPAddress.TryParse(host, out var ip))
        {
            return Multiaddress.FromEndPoint(new IPEndPoint(ip, port));
        }

        return Multiaddress.Parse($"/dns/{host}/tcp/{port}");
    }
}
