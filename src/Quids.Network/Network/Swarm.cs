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

    public IReadOnlyCollection<NetworkConnection> Connections => [.. _connections.Values];

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

    public NetworkConnection? FindConnection(PeerId peer) =>
        _connections.Values.Where(c => c.RemotePeerId == peer && !c.Completion.IsCompleted).MinBy(c => c.Id);

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
    public async Task<NetworkConnection> DialAsync(Multiaddress address, CancellationToken cancellationToken = default)
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
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            var raw = await _transport.ConnectAsync(endPoint, linked.Token);
            var connection = await _upgrader.UpgradeAsync(raw, ConnectionDirection.Outbound, expected, linked.Token);
            Register(connection);
            return connection;
        }
        catch
        {
            ReleaseSlot();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        await Task.WhenAll(_acceptLoops);
        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Task.WhenAll(_connections.Values.Select(c => CloseQuietlyAsync(c, closeTimeout.Token)));
        _stopping.Dispose();
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

    private void Register(NetworkConnection connection)
    {
        _connections[connection.Id] = connection;
        _ = RunConnectionAsync(connection);
        try
        {
            ConnectionOpened?.Invoke(connection);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_logger, nameof(ConnectionOpened), e);
        }
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
