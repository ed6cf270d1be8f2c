using System.Net;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;

namespace Quids.Network;

/// <summary>
/// One connection to one peer, as the seed's <c>P2PConnection</c>: its state (DISCONNECTED, CONNECTING,
/// HANDSHAKING, CONNECTED, ERROR) with a <see cref="StateChanged"/> event, and its statistics. The
/// authenticated, encrypted, multiplexed connection underneath belongs to the node; this object is what
/// the application holds. Thread-safe.
/// </summary>
public sealed class P2PConnection
{
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private ConnectionState _state;
    private long _messagesSent;
    private long _errors;
    private long _lastMessageTicks;
    private long _lastTouchMilliseconds;
    private long _lastRttTicks = -1;
    private DateTimeOffset? _connectedAt;
    private DateTimeOffset? _endedAt;
    private bool _ended;
    private NetworkConnection? _connection;
    private PeerInfo? _sender;

    internal P2PConnection(Multiaddress dialedAddress, ConnectionDirection direction, TimeProvider time)
    {
        _time = time;
        RemoteAddress = dialedAddress;
        Direction = direction;
        dialedAddress.TryGetTcpEndPoint(out var endPoint);
        (Address, Port) = endPoint switch
        {
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            DnsEndPoint dns => (dns.Host, dns.Port),
            _ => ("?", 0),
        };
    }

    /// <summary>The peer's id; null until the handshake has proven it.</summary>
    public PeerId? PeerId => _connection?.RemotePeerId ?? RemoteAddress.GetPeerId();

    /// <summary>The peer's host (IP address, or the DNS name dialed) as the seed's peer_address.</summary>
    public string Address { get; private set; }

    /// <summary>The peer's TCP port.</summary>
    public int Port { get; private set; }

    /// <summary>The peer's address as a multiaddress.</summary>
    public Multiaddress RemoteAddress { get; private set; }

    /// <summary>Whether we dialed the peer or it dialed us.</summary>
    public ConnectionDirection Direction { get; }

    /// <summary>The current state.</summary>
    public ConnectionState State => _state;

    /// <summary>Raised on every state change (on the thread that caused it).</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>A snapshot of the connection's counters.</summary>
    public ConnectionStatistics GetStatistics()
    {
        var connection = _connection;
        long last = Interlocked.Read(ref _lastMessageTicks);
        long rtt = Interlocked.Read(ref _lastRttTicks);
        var start = _connectedAt;
        var end = _endedAt ?? _time.GetUtcNow();
        return new ConnectionStatistics
        {
            BytesSent = connection?.BytesSent ?? 0,
            BytesReceived = connection?.BytesReceived ?? 0,
            MessagesSent = Interlocked.Read(ref _messagesSent),
            MessagesReceived = Received.Value,
            Errors = Interlocked.Read(ref _errors),
            LastMessageAt = last == 0 ? null : new DateTimeOffset(last, TimeSpan.Zero),
            Duration = start is null ? TimeSpan.Zero : end - start.Value,
            State = _state,
            LastPingRtt = rtt < 0 ? null : TimeSpan.FromTicks(rtt),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"{PeerId?.ToString() ?? "?"} at {Address}:{Port} ({Direction}, {State})";

    internal NetworkConnection? Network => _connection;

    /// <summary>Messages received, counted by the tallies of the connection's inbound message streams.</summary>
    internal MessageCounter Received { get; } = new();

    internal void Attach(NetworkConnection connection)
    {
        _connection = connection;
        if (connection.RemoteAddress is { } remote && Direction == ConnectionDirection.Inbound)
        {
            RemoteAddress = remote;
            remote.TryGetTcpEndPoint(out var endPoint);
            if (endPoint is IPEndPoint ip)
            {
                (Address, Port) = (ip.Address.ToString(), ip.Port);
            }
        }

        _connectedAt = connection.OpenedAt;
        SetState(ConnectionState.Connected);
    }

    internal void SetState(ConnectionState state, Exception? error = null)
    {
        ConnectionState previous;
        lock (_gate)
        {
            previous = _state;
            if (previous == state || _ended)
            {
                return;
            }

            _state = state;
            if (state is ConnectionState.Error or ConnectionState.Disconnected)
            {
                _ended = true;
                _endedAt = _time.GetUtcNow();
            }
        }

        if (error is not null)
        {
            CountError();
        }

        StateChanged?.Invoke(this, new ConnectionStateChangedEventArgs(previous, state, error));
    }

    internal void CountSent(int messages) => Touch(ref _messagesSent, messages);

    /// <summary>Records that a message arrived now (its count is in <see cref="Received"/>).</summary>
    internal void TouchReceived() => TouchClock();

    internal void CountError(int errors = 1) => Interlocked.Add(ref _errors, errors);

    /// <summary>Who sent the messages received on <paramref name="network"/>; one instance shared by all of them.</summary>
    internal PeerInfo Sender(NetworkConnection network)
    {
        var sender = _sender;
        if (sender is null || sender.Port != Port || !ReferenceEquals(sender.Address, Address) || !ReferenceEquals(sender.PeerId, network.RemotePeerId))
        {
            _sender = sender = new PeerInfo(network.RemotePeerId, Address, Port);
        }

        return sender;
    }

    internal void RecordRtt(TimeSpan rtt) => Interlocked.Exchange(ref _lastRttTicks, rtt.Ticks);

    internal bool Matches(IReadOnlyCollection<IPAddress> addresses, string host, int port)
    {
        if (Port == port && (string.Equals(Address, host, StringComparison.OrdinalIgnoreCase) || addresses.Any(a => a.ToString() == Address)))
        {
            return true;
        }

        var dialed = RemoteAddress;
        return dialed.TryGetTcpEndPoint(out var ep) && ep is IPEndPoint ip && ip.Port == port && addresses.Contains(ip.Address);
    }

    private void Touch(ref long counter, int messages)
    {
        Interlocked.Add(ref counter, messages);
        TouchClock();
    }

    private void TouchClock()
    {
        // Reading the wall clock costs more than the rest of a message's bookkeeping (it goes through the
        // hypervisor's clock on a VM): take it at most once per millisecond of the cheap coarse tick count, so
        // LastMessageAt is exact to the millisecond.
        long now = Environment.TickCount64;
        if (Volatile.Read(ref _lastTouchMilliseconds) != now)
        {
            Volatile.Write(ref _lastTouchMilliseconds, now);
            Interlocked.Exchange(ref _lastMessageTicks, _time.GetUtcNow().UtcTicks);
        }
    }
}
