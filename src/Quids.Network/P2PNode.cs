using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Identify;
using Quids.Network.Protocols.Kad;
using Quids.Network.Protocols.Messaging;
using Quids.Network.Protocols.Perf;
using Quids.Network.Protocols.Ping;

namespace Quids.Network;

/// <summary>
/// A peer-to-peer node, as the seed's <c>P2PNode</c>: listens, connects to peers and bootstrap peers, keeps
/// connections healthy, and sends and broadcasts application messages. Every public member is thread-safe.
/// Messages from one peer reach the handlers in the order they were sent; handlers for different peers
/// run in parallel.
/// </summary>
/// <example>
/// <code>
/// await using var node = new P2PNode(new P2PNodeOptions { Port = 8080 });
/// node.RegisterMessageHandler((peer, message) => Console.WriteLine($"{peer.Address}:{peer.Port} sent {message.Length} bytes"));
/// await node.StartAsync();
/// await node.ConnectToPeerAsync("192.168.1.100", 8080);
/// await node.BroadcastMessageAsync(new byte[] { 1, 2, 3, 4 });
/// </code>
/// </example>
public sealed partial class P2PNode : IAsyncDisposable
{
    private readonly P2PNodeOptions _options;
    private readonly IdentityKeyPair _identity;
    private readonly bool _ownsIdentity;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<long, P2PConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private Swarm? _swarm;
    private PingService? _ping;
    private IdentifyService? _identify;
    private MessagingService? _messaging;
    private KadService? _kad;
    private AddressBook? _book;
    private int _state; // 0 new, 1 started, 2 stopped
    private long _messagesSent;
    private long _errors;
    private long _closedBytesSent;
    private long _closedBytesReceived;

    /// <summary>Creates a node; nothing happens on the network until <see cref="StartAsync"/>.</summary>
    /// <exception cref="FormatException">The identity key file exists but holds no valid key.</exception>
    public P2PNode(P2PNodeOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Quids.Network.P2PNode");
        if (options.Identity is not null)
        {
            _identity = options.Identity;
        }
        else
        {
            if (options.IdentityKeyFile is null && !string.IsNullOrWhiteSpace(options.DataDirectory))
            {
                Directory.CreateDirectory(options.DataDirectory);
            }

            _identity = options.EffectiveIdentityKeyFile is { } keyFile ? IdentityKeyPair.LoadOrCreate(keyFile) : IdentityKeyPair.Generate();
            _ownsIdentity = true;
        }

        foreach (var peer in options.BootstrapPeers)
        {
            _persistent[peer.ToString()] = peer;
            _bootstrap[peer.ToString()] = peer;
        }
    }

    /// <summary>This node's identity.</summary>
    public PeerId PeerId => _identity.PeerId;

    /// <summary>The addresses the node listens on (real port, interfaces expanded), each ending in <c>/p2p/&lt;id&gt;</c>.</summary>
    public IReadOnlyList<Multiaddress> ListenAddresses =>
        _swarm is null ? [] : [.. _swarm.ListenAddresses.Select(a => a.WithPeerId(PeerId))];

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>The live connections, one per peer.</summary>
    public IReadOnlyCollection<P2PConnection> Connections =>
        [.. _connections.Values.Where(c => c.State == ConnectionState.Connected)];

    /// <summary>Raised when a connection to a peer is ready (either direction).</summary>
    public event EventHandler<PeerEventArgs>? PeerConnected;

    /// <summary>Raised when a peer's connection has ended, with the reason if it failed.</summary>
    public event EventHandler<PeerEventArgs>? PeerDisconnected;

    /// <summary>
    /// Validates the options, starts listening on <see cref="P2PNodeOptions.BindAddress"/>:<see cref="P2PNodeOptions.Port"/>,
    /// connects to the bootstrap peers in the background, starts health monitoring and peer discovery (see
    /// <see cref="DiscoverPeersAsync"/>). With a <see cref="P2PNodeOptions.DataDirectory"/>, the saved address
    /// book is loaded first, so a restarted node finds its peers again without bootstrap peers.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="IOException">The address could not be bound (e.g. the port is in use).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The node has already been started; a stopped node cannot be restarted.");
        }

        var host = new HostOptions
        {
            Identity = _identity,
            AgentVersion = _options.AgentVersion,
            HandshakeTimeout = _options.HandshakeTimeout,
            MaxConnections = _options.MaxConnections,
            TimeProvider = _options.TimeProvider,
        };
        host.ListenAddresses.Add(Multiaddress.FromEndPoint(new IPEndPoint(_options.ParsedBindAddress, _options.Port)));
        _swarm = new Swarm(host, _loggerFactory);
        _ping = new PingService(_swarm);
        _identify = new IdentifyService(_swarm);
        _perf = new PerfService(_swarm, new PerfOptions { ServerEnabled = _options.EnablePerfServer });
        _messaging = new MessagingService(_swarm, new MessagingOptions
        {
            MaxMessageSize = _options.BufferSize,
            MaxBatchMessages = _options.MaxQueuedMessagesPerPeer,
        })
        {
            MessageReceiver = MessageReceiverFor,
            SendObserver = this,
        };
        _messaging.ProtocolViolation += OnProtocolViolation;
        _identify.Identified += OnIdentified;
        _book = CreateAddressBook();

        // Before listening, so that the first peer to connect can already query the DHT.
        _kad = _options.EnableDht ? new KadService(_swarm, _identify) : null;
        _swarm.ConnectionOpened += OnConnectionOpened;
        _swarm.ConnectionClosed += OnConnectionClosed;
        try
        {
            await _swarm.StartAsync(cancellationToken);
        }
        catch
        {
            Volatile.Write(ref _state, 2);
            if (_kad is not null)
            {
                await _kad.DisposeAsync();
            }

            await _swarm.DisposeAsync();
            throw;
        }

        _book.SetLocalAddresses(_swarm.ListenAddresses);

        foreach (var address in ListenAddresses)
        {
            NodeLog.Started(_logger, address.ToString());
        }

        // After listening: mDNS announces the concrete listen addresses, which exist only now.
        await StartMdnsAsync(cancellationToken);

        lock (_background)
        {
            _background.Add(HealthLoopAsync(_stopping.Token));
            _background.Add(DiscoveryLoopAsync(_stopping.Token));
            foreach (var peer in _persistent.Values)
            {
                _background.Add(KeepConnectedAsync(peer, _stopping.Token));
            }
        }
    }

    /// <summary>
    /// Stops gracefully: no new connections, queued messages are flushed, streams and connections are closed
    /// — all within <paramref name="timeout"/> (defaults to 5 s), after which what is left is aborted.
    /// </summary>
    public async Task StopAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await StopMdnsAsync();
        await _swarm!.StopListeningAsync();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            await _messaging!.FlushAllAsync().WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the connections are closed below regardless, failing what is still queued.
        }

        Task[] background;
        lock (_background)
        {
            background = [.. _background];
        }

        await Task.WhenAll(background.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default)));
        if (_kad is not null)
        {
            await _kad.DisposeAsync();
        }

        await _swarm!.DisposeAsync();
        await SaveAddressBookAsync(force: true);
        NodeLog.Stopped(_logger, PeerId);
    }

    /// <summary>Stops the node (as <see cref="StopAsync"/>) and releases its identity key if it created it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
        if (_ownsIdentity)
        {
            _identity.Dispose();
        }
    }

    /// <summary>A snapshot of the node's counters and of each live connection's.</summary>
    public NodeStatistics GetStatistics()
    {
        var live = _connections.Values.Where(c => c.State == ConnectionState.Connected && c.PeerId is not null)
            .GroupBy(c => c.PeerId!)
            .ToDictionary(g => g.Key, g => g.First().GetStatistics());
        return new NodeStatistics
        {
            Connections = live,
            MessagesSent = Interlocked.Read(ref _messagesSent),
            MessagesReceived = _received.Value,
            Errors = Interlocked.Read(ref _errors),
            BytesSent = Interlocked.Read(ref _closedBytesSent) + live.Values.Sum(s => s.BytesSent),
            BytesReceived = Interlocked.Read(ref _closedBytesReceived) + live.Values.Sum(s => s.BytesReceived),
        };
    }

    private Swarm RunningSwarm()
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException(_state == 0 ? "The node has not been started; call StartAsync first." : "The node has been stopped.");
        }

        return _swarm!;
    }
}
