using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Protocols.Mdns.Wire;

namespace Quids.Network.Protocols.Mdns;

/// <summary>
/// mDNS discovery on the local link: queries for <c>_p2p._udp.local</c> at start and every
/// <see cref="MdnsOptions.QueryInterval"/>, answers queries (our own included, so peers that only listen find
/// us) with our listen addresses, and raises <see cref="PeerDiscovered"/> for every other peer's answer.
/// Every malformed datagram is dropped with a logged reason; nothing received can stop the service.
/// </summary>
internal sealed partial class MdnsService : IAsyncDisposable
{
    private readonly PeerId _localPeer;
    private readonly Func<IReadOnlyList<Multiaddress>> _listenAddresses;
    private readonly MdnsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private ITimer? _queryTimer;
    private int _started;
    private int _disposed;

    /// <param name="localPeer">Our id: announced in every address, and answers carrying it are ignored.</param>
    /// <param name="listenAddresses">Called for each answer: the addresses to announce (unspecified IPs are left out, so pass concrete ones).</param>
    /// <param name="options">Settings, validated here. Defaults to <see cref="MdnsOptions"/>'s defaults.</param>
    /// <param name="timeProvider">Clock for the query timer and the answer rate limit. Defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where drops and discoveries are logged. Defaults to none.</param>
    public MdnsService(
        PeerId localPeer,
        Func<IReadOnlyList<Multiaddress>> listenAddresses,
        MdnsOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(localPeer);
        ArgumentNullException.ThrowIfNull(listenAddresses);
        _options = options ?? new MdnsOptions();
        _options.Validate();
        _localPeer = localPeer;
        _listenAddresses = listenAddresses;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        PeerName = _options.PeerName ?? MdnsProtocol.NewPeerName();
    }

    /// <summary>
    /// Raised, on a receive loop, for each answer from another peer: its id and its addresses (without
    /// <c>/p2p/</c>). A peer is reported again on every answer, so handlers must tolerate repeats; a handler
    /// that throws is logged and does not stop discovery.
    /// </summary>
    public event Action<PeerId, IReadOnlyList<Multiaddress>>? PeerDiscovered;

    /// <summary>The label we answer under: <c>&lt;PeerName&gt;._p2p._udp.local</c>.</summary>
    public string PeerName { get; }

    /// <summary>
    /// Opens the sockets (port 5353 shared with other responders on this host), joins the mDNS groups on every
    /// multicast-capable interface, sends the first query and starts the timer. The sockets are created before
    /// this method first awaits, on the calling thread. Throws <see cref="MdnsException"/> when no IPv4
    /// socket can join the group anywhere.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("mdns: the service is already started.");
        }

        OpenSockets();
        MdnsLog.Started(_logger, PeerName, DescribeInterfaces());
        foreach (MdnsSocket socket in _sockets)
        {
            _loops.Add(Task.Run(() => ReceiveLoopAsync(socket, _stopping.Token), CancellationToken.None));
        }

        if (_options.QueryInterval != Timeout.InfiniteTimeSpan)
        {
            _queryTimer = _time.CreateTimer(_ => _ = QueryAsync(), null, _options.QueryInterval, _options.QueryInterval);
        }

        return QueryAsync(cancellationToken);
    }

    /// <summary>Sends a query for libp2p peers now, on every interface; a send that fails is logged and skipped.</summary>
    public Task QueryAsync(CancellationToken cancellationToken = default) =>
        SendToAllAsync(MdnsProtocol.BuildQuery(), cancellationToken);

    /// <summary>Stops the timer and the receive loops and closes the sockets; peers simply stop hearing from us.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_queryTimer is not null)
        {
            await _queryTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (MdnsSocket socket in _sockets)
        {
            socket.Socket.Dispose();
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stopping.Dispose();
        _sendLock.Dispose();
    }

    private async Task HandleDatagramAsync(MdnsSocket socket, ReadOnlyMemory<byte> datagram, EndPoint? source)
    {
        if (!DnsReader.TryRead(datagram.Span, out DnsMessage? message, out string? error))
        {
            MdnsLog.DatagramDropped(_logger, source, error!);
            return;
        }

        if (MdnsProtocol.IsPeerQuery(message!))
        {
            await AnswerAsync(socket).ConfigureAwait(false);
            return;
        }

        var problems = new List<string>();
        foreach (MdnsAnnouncement announcement in MdnsProtocol.ReadAnnouncements(message!, PeerName, _localPeer, problems))
        {
            Report(announcement);
        }

        foreach (string problem in problems)
        {
            MdnsLog.AnnouncementIgnored(_logger, source, problem);
        }
    }

    private void Report(MdnsAnnouncement announcement)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            MdnsLog.PeerDiscovered(_logger, announcement.PeerId, announcement.PeerName, string.Join(", ", announcement.Addresses));
        }

        try
        {
            PeerDiscovered?.Invoke(announcement.PeerId, announcement.Addresses);
        }
        catch (Exception ex)
        {
            // A subscriber's bug must not end discovery for the others: logged, and the loop goes on.
            MdnsLog.HandlerFailed(_logger, announcement.PeerId, ex);
        }
    }

    private async Task AnswerAsync(MdnsSocket socket)
    {
        if (!_options.Broadcast)
        {
            MdnsLog.QueryNotAnswered(_logger, "broadcast is off");
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (socket.LastAnswer is { } last && now - last < _options.MinAnswerInterval)
        {
            MdnsLog.QueryNotAnswered(_logger, $"answered less than {_options.MinAnswerInterval.TotalMilliseconds} ms ago");
            return;
        }

        IReadOnlyList<Multiaddress> addresses;
        try
        {
            addresses = _listenAddresses();
        }
        catch (Exception ex)
        {
            // The node's address callback failing must not end the receive loop: this one query goes unanswered.
            MdnsLog.QueryNotAnswered(_logger, "the listen addresses callback threw: " + ex.Message);
            return;
        }

        byte[]? answer = MdnsProtocol.BuildResponse(PeerName, _localPeer, addresses);
        if (answer is null)
        {
            MdnsLog.QueryNotAnswered(_logger, "no listen address with a concrete IP to announce");
            return;
        }

        socket.LastAnswer = now;
        await SendAsync(socket, answer, _stopping.Token).ConfigureAwait(false);
    }
}
