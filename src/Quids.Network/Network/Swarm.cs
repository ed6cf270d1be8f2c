using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Transport;
using Quids.Network.Transport.Tcp;

namespace Quids.Network.Network;

/// <summary>
/// The connection layer of a node: listens, dials, upgrades every connection through
/// <see cref="UpgradePipeline"/>, holds the connection table within its limits, and routes inbound streams
/// to the handler registered for their protocol.
/// </summary>
internal sealed partial class Swarm : IAsyncDisposable
{
    private readonly HostOptions _options;
    private readonly ILogger _logger;
    private readonly ITransport _transport;
    private readonly UpgradePipeline _upgrader;
    private readonly ConcurrentDictionary<string, StreamHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, NetworkConnection> _connections = new();
    private readonly Dictionary<PeerId, NetworkConnection> _byPeer = [];
    private readonly List<ITransportListener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly CancellationTokenSource _stopping = new();
    private List<Multiaddress> _listenAddresses = [];
    private int _reservedSlots;
    private int _pendingInbound;
    private int _disposed;

    public Swarm(HostOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Quids.Network");
        _transport = new TcpTransport(options.Tcp);
        _upgrader = new UpgradePipeline(options, _logger);
    }

    public PeerId LocalPeerId => _options.Identity!.PeerId;

    public HostOptions Options => _options;

    public ILogger Logger => _logger;

    /// <summary>The addresses we listen on, with real ports (and unspecified addresses expanded).</summary>
    public IReadOnlyList<Multiaddress> ListenAddresses => _listenAddresses;

    /// <summary>The protocols we have handlers for.</summary>
    public IReadOnlyCollection<string> Protocols => [.. _handlers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The live connections, one per peer.</summary>
    public IReadOnlyCollection<NetworkConnection> Connections
    {
        get
        {
            lock (_byPeer)
            {
                return [.. _byPeer.Values.Where(c => !c.Completion.IsCompleted)];
            }
        }
    }

    /// <summary>Raised when a connection is ready (upgraded and registered).</summary>
    public event Action<NetworkConnection>? ConnectionOpened;

    /// <summary>Raised once when a registered connection has ended, with the reason if it failed.</summary>
    public event Action<NetworkConnection, Exception?>? ConnectionClosed;

    public void SetStreamHandler(string protocol, StreamHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[protocol] = handler;
    }

    public void RemoveStreamHandler(string protocol) => _handlers.TryRemove(protocol, out _);

    public NetworkConnection? FindConnection(PeerId peer)
    {
        lock (_byPeer)
        {
            return _byPeer.TryGetValue(peer, out var connection) && !connection.Completion.IsCompleted ? connection : null;
        }
    }

    /// <summary>Starts listening on every configured address.</summary>
    /// <exception cref="TransportListenException">An address could not be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        var bound = new List<Multiaddress>();
        foreach (var address in _options.ListenAddresses)
        {
            address.TryGetTcpEndPoint(out var endPoint);
            var listener = _transport.Listen(endPoint!);
            _listeners.Add(listener);
            bound.AddRange(ListenAddressExpansion.Expand((IPEndPoint)listener.LocalEndPoint));
            NetworkLog.Listening(_logger, listener.LocalEndPoint.ToString() ?? "?");
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }

        _listenAddresses = bound;
        return Task.CompletedTask;
    }

    /// <summary>Dials <paramref name="address"/>; if it ends in <c>/p2p/&lt;id&gt;</c>, the remote must be that peer.</summary>
    /// <exception cref="TransportConnectException">The TCP connection could not be made.</exception>
    /// <exception cref="ConnectionUpgradeException">The connection could not be secured.</exception>
    /// <exception cref="ConnectionLimitException">MaxConnections connections are already open.</exception>
    public async Task<NetworkConnection> DialAsync(Multiaddress address, CancellationToken cancellationToken = default) =>
        await DialAsync(address, null, null, cancellationToken);

    /// <summary>
    /// As <see cref="DialAsync(Multiaddress, CancellationToken)"/>, calling <paramref name="tcpConnected"/> once
    /// TCP is up and tagging the new connection with <paramref name="owner"/> before it is announced.
    /// </summary>
    public async Task<NetworkConnection> DialAsync(Multiaddress address, Action? tcpConnected, object? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!address.TryGetTcpEndPoint(out var endPoint))
        {
            throw new ArgumentException($"Cannot dial {address}: only /ip4, /ip6, /dns, /dns4 and /dns6 with /tcp are supported.", nameof(address));
        }

        var expected = address.GetPeerId();
        if (!TryReserveSlot())
        {
            throw new ConnectionLimitException($"Cannot dial {address}: the node already holds its maximum of {_options.MaxConnections} connections.");
        }

        try
        {
            // A caller's token is linked to the node's; without one the node's alone will do (no source per dial).
            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token)
                : null;
            CancellationToken token = linked?.Token ?? _stopping.Token;
            var raw = await _transport.ConnectAsync(endPoint, token);
            tcpConnected?.Invoke();
            var connection = await _upgrader.UpgradeAsync(raw, ConnectionDirection.Outbound, expected, token);
            connection.Owner = owner;
            return Register(connection);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }
    }

    /// <summary>Stops accepting connections (idempotent); existing connections carry on.</summary>
    public async Task StopListeningAsync()
    {
        ITransportListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
            _listeners.Clear();
        }

        foreach (var listener in listeners)
        {
            await listener.DisposeAsync();
        }

        await Task.WhenAll(_acceptLoops);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await StopListeningAsync();
        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Task.WhenAll(_connections.Values.Select(c => CloseQuietlyAsync(c, closeTimeout.Token)));
        _stopping.Dispose();
        _upgrader.Dispose();
    }

    private async Task AcceptLoopAsync(ITransportListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            ITransportConnection? raw;
            try
            {
                raw = await listener.AcceptAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                // Accept errors (e.g. EMFILE) are transient: log, wait briefly, go on serving.
                NetworkLog.AcceptFailed(_logger, e.Message);
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            if (raw is null)
            {
                break;
            }

            if (Interlocked.Increment(ref _pendingInbound) > _options.MaxPendingInbound || !TryReserveSlot())
            {
                Interlocked.Decrement(ref _pendingInbound);
                NetworkLog.InboundRejected(_logger, raw.RemoteEndPoint.ToString() ?? "?", _options.MaxConnections, _options.MaxPendingInbound);
                raw.Abort(null);
                await raw.DisposeAsync();
                continue;
            }

            _ = UpgradeInboundAsync(raw);
        }
    }

    private async Task UpgradeInboundAsync(ITransportConnection raw)
    {
        try
        {
            var connection = await _upgrader.UpgradeAsync(raw, ConnectionDirection.Inbound, null, _stopping.Token);
            Register(connection);
        }
        catch (Exception e)
        {
            // Already logged by the pipeline with its stage and cause; a failed inbound upgrade concerns only that peer.
            _ = e;
            ReleaseSlot();
        }
        finally
        {
            Interlocked.Decrement(ref _pendingInbound);
        }
    }

    /// <summary>
    /// Adds a new connection. One connection per peer: if the peer already has a live one, both sides keep
    /// the same of the two (see <see cref="PreferredOf"/>) and close the other, so simultaneous dials in both
    /// directions settle on one. Returns the connection kept.
    /// </summary>
    private NetworkConnection Register(NetworkConnection connection)
    {
        _connections[connection.Id] = connection;
        NetworkConnection? loser = null;
        lock (_byPeer)
        {
            if (_byPeer.TryGetValue(connection.RemotePeerId, out var existing) && !existing.Completion.IsCompleted)
            {
                var kept = PreferredOf(existing, connection);
                loser = kept == existing ? connection : existing;
                _byPeer[connection.RemotePeerId] = kept;
            }
            else
            {
                _byPeer[connection.RemotePeerId] = connection;
            }
        }

        if (loser != connection)
        {
            connection.Announced = true;
        }

        _ = RunConnectionAsync(connection);
        if (loser == connection)
        {
            NetworkLog.DuplicateClosed(_logger, loser.Id, loser.RemotePeerId);
            _ = CloseQuietlyAsync(loser, CancellationToken.None);
            return FindConnection(connection.RemotePeerId) ?? connection;
        }

        try
        {
            ConnectionOpened?.Invoke(connection);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_logger, nameof(ConnectionOpened), e);
        }

        // The replaced connection is closed only after its successor is announced, so the peer is never
        // briefly without a connection in the layers above.
        if (loser is not null)
        {
            NetworkLog.DuplicateClosed(_logger, loser.Id, loser.RemotePeerId);
            _ = CloseQuietlyAsync(loser, CancellationToken.None);
        }

        return connection;
    }

    /// <summary>
    /// Of two connections between the same peers, the one both sides keep: the one dialed by the peer with
    /// the smaller id; if the same peer dialed both, the one from its lower local TCP port. Both sides see the
    /// same dialer and the same ports, so they decide alike without talking.
    /// </summary>
    internal static NetworkConnection PreferredOf(NetworkConnection a, NetworkConnection b)
    {
        int byDialer = Dialer(a).Span.SequenceCompareTo(Dialer(b).Span);
        if (byDialer != 0)
        {
            return byDialer < 0 ? a : b;
        }

        return DialerPort(a) <= DialerPort(b) ? a : b;

        static ReadOnlyMemory<byte> Dialer(NetworkConnection c) =>
            (c.Direction == ConnectionDirection.Outbound ? c.LocalPeerId : c.RemotePeerId).Bytes;
        static int DialerPort(NetworkConnection c) =>
            (c.Direction == ConnectionDirection.Outbound ? c.LocalAddress : c.RemoteAddress)?.Components[1].Value is { } port
                ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private bool TryReserveSlot()
    {
        if (Interlocked.Increment(ref _reservedSlots) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _reservedSlots);
            return false;
        }

        return true;
    }

    private void ReleaseSlot() => Interlocked.Decrement(ref _reservedSlots);

    private async Task CloseQuietlyAsync(NetworkConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.CloseAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // Shutting down: a connection that cannot close cleanly is aborted instead.
            connection.Abort(e);
        }
    }
}
