using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Messaging;

namespace Quids.Network;

/// <summary>Handles an application message; runs in order per peer, in parallel across peers.</summary>
/// <param name="peer">Who sent it.</param>
/// <param name="message">
/// The message bytes; valid after the handler returns and never overwritten. Messages of up to 512 bytes share an
/// 8 KiB array with their neighbours (one allocation per many messages), so keeping one keeps that array alive:
/// copy it (<c>ToArray</c>) to keep many small messages for long.
/// </param>
public delegate void MessageHandler(PeerInfo peer, ReadOnlyMemory<byte> message);

/// <summary>Handles an application message asynchronously; the next message of the same peer waits for it.</summary>
/// <param name="peer">Who sent it.</param>
/// <param name="message">The message bytes, never overwritten (small messages share an array, as for <see cref="MessageHandler"/>).</param>
public delegate ValueTask AsyncMessageHandler(PeerInfo peer, ReadOnlyMemory<byte> message);

public sealed partial class P2PNode : IMessageSendObserver
{
    private AsyncMessageHandler[] _handlers = [];

    // Where the last message sent by peer id went: further sends to that peer, while its connection is open, skip
    // the swarm's locked lookup by peer id (a monitor per message).
    private SendTarget? _lastSendTarget;

    // Messages received by the node, counted per inbound stream (see StreamReceiver).
    private readonly MessageCounter _received = new();

    /// <summary>
    /// Adds a handler for every application message received. A handler that throws is logged and counted as
    /// an error of that connection; the connection and the other handlers carry on.
    /// </summary>
    public void RegisterMessageHandler(MessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RegisterMessageHandler((peer, message) =>
        {
            handler(peer, message);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Adds an asynchronous handler; messages of the same peer wait for it, so order is kept.</summary>
    public void RegisterMessageHandler(AsyncMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_background)
        {
            _handlers = [.. _handlers, handler];
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> to the connected peer at <paramref name="host"/>:<paramref name="port"/>
    /// (the address it was dialed at, connected from, or advertises). Completes once the message is accepted into
    /// the connection's send buffer; see <see cref="SendMessageToPeerAsync(PeerId, ReadOnlyMemory{byte}, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="PeerNotConnectedException">No connected peer has that address.</exception>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="P2PNodeOptions.BufferSize"/>.</exception>
    /// <exception cref="ConnectionLostException">The connection ended before the message was accepted.</exception>
    public Task SendMessageToPeerAsync(string host, int port, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        RunningSwarm();
        var connection = FindConnection(host, port, ResolveQuietly(host))
            ?? throw new PeerNotConnectedException($"No connected peer at {host}:{port}; connect first with ConnectToPeerAsync.");
        return SendAsync(connection, message, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> to a connected peer by id. Completes once the message is accepted into the
    /// connection's send buffer: at once (the returned task is already complete) while the buffer has room, later
    /// when back-pressure applies (the peer reads slower than we send; the buffer holds at most about 256 KiB per
    /// peer). Until the task completes, <paramref name="message"/> must not change; afterwards the node has copied
    /// it. An accepted message is sent in order after those accepted before it, exactly once, and a graceful
    /// <see cref="StopAsync"/> still delivers it; it is lost only if the connection breaks (reset, crash, timeout)
    /// before its bytes reach the peer. A task faulted with <see cref="ConnectionLostException"/> means the message
    /// was not accepted and not sent.
    /// </summary>
    /// <exception cref="PeerNotConnectedException">The peer is not connected.</exception>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="P2PNodeOptions.BufferSize"/>.</exception>
    /// <exception cref="ConnectionLostException">The connection ended before the message was accepted.</exception>
    public Task SendMessageToPeerAsync(PeerId peer, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        RunningSwarm();
        var target = _lastSendTarget;
        if (target is null || target.Network.Completion.IsCompleted || !target.Network.RemotePeerId.Equals(peer))
        {
            var connection = FindConnection(peer) ?? throw new PeerNotConnectedException($"Peer {peer} is not connected.");
            if (connection.Network is not { } network)
            {
                return SendAsync(connection, message, cancellationToken);
            }

            _lastSendTarget = target = new SendTarget(connection, network);
        }

        return SendAsync(target.Connection, message, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> to every connected peer and reports, per peer, whether it was accepted into
    /// the connection's send buffer. One slow or failing peer does not hold up or fail the others.
    /// </summary>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="P2PNodeOptions.BufferSize"/>; sent to nobody.</exception>
    public async Task<BroadcastResult> BroadcastMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        RunningSwarm();
        if (message.Length > _options.BufferSize)
        {
            throw new MessageTooLargeException(message.Length, _options.BufferSize);
        }

        var targets = Connections.Where(c => c.PeerId is not null).ToList();
        var outcomes = await Task.WhenAll(targets.Select(async c =>
        {
            try
            {
                await SendAsync(c, message, cancellationToken);
                return (c.PeerId!, (Exception?)null);
            }
            catch (Exception e) when (e is not MessageTooLargeException)
            {
                return (c.PeerId!, e);
            }
        }));
        return new BroadcastResult(outcomes.ToDictionary(o => o.Item1, o => o.Item2));
    }

    private Task SendAsync(P2PConnection connection, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        Task task;
        SendOutcome outcome;
        try
        {
            var network = connection.Network ?? throw new PeerNotConnectedException($"{connection} is not connected.");
            task = _messaging!.SendAsync(network, message, cancellationToken, out outcome);
        }
        catch (MessageTooLargeException e)
        {
            return Task.FromException(e);
        }
        catch (Exception e)
        {
            CountSendErrors(connection, 1);
            return Task.FromException(e);
        }

        // Queued messages are counted by the messaging service's observer when they settle (IMessageSendObserver).
        if (outcome == SendOutcome.Accepted)
        {
            CountSent(connection, 1);
        }
        else if (outcome == SendOutcome.Failed && task.IsFaulted)
        {
            CountSendErrors(connection, 1);
        }

        return task;
    }

    void IMessageSendObserver.OnAccepted(NetworkConnection network, int messages)
    {
        if (_connections.TryGetValue(network.Id, out var connection))
        {
            CountSent(connection, messages);
        }
    }

    void IMessageSendObserver.OnFailed(NetworkConnection network, int messages)
    {
        if (_connections.TryGetValue(network.Id, out var connection))
        {
            CountSendErrors(connection, messages);
        }
        else
        {
            Interlocked.Add(ref _errors, messages);
        }
    }

    private void CountSent(P2PConnection connection, int messages)
    {
        connection.CountSent(messages);
        Interlocked.Add(ref _messagesSent, messages);
    }

    private void CountSendErrors(P2PConnection connection, int messages)
    {
        connection.CountError(messages);
        Interlocked.Add(ref _errors, messages);
    }

    /// <summary>The receiver of one inbound message stream.</summary>
    private IMessageReceiver MessageReceiverFor(NetworkConnection network) => new StreamReceiver(this, network);

    /// <summary>
    /// Runs the handlers of one received message; synchronous handlers complete it without a state machine, an
    /// asynchronous one that has not finished hands the rest to <see cref="ContinueHandlersAsync"/>.
    /// </summary>
    private ValueTask OnMessage(P2PConnection connection, NetworkConnection network, ReadOnlyMemory<byte> message)
    {
        connection.TouchReceived();
        var peer = connection.Sender(network);
        var handlers = Volatile.Read(ref _handlers);
        for (int i = 0; i < handlers.Length; i++)
        {
            ValueTask pending;
            try
            {
                pending = handlers[i](peer, message);
            }
            catch (Exception e)
            {
                HandlerFailed(connection, network, e);
                continue;
            }

            if (!pending.IsCompletedSuccessfully)
            {
                return ContinueHandlersAsync(pending, handlers, i + 1, peer, message, connection, network);
            }
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask ContinueHandlersAsync(
        ValueTask pending, AsyncMessageHandler[] handlers, int next, PeerInfo peer, ReadOnlyMemory<byte> message, P2PConnection connection, NetworkConnection network)
    {
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            HandlerFailed(connection, network, e);
        }

        for (int i = next; i < handlers.Length; i++)
        {
            try
            {
                await handlers[i](peer, message);
            }
            catch (Exception e)
            {
                HandlerFailed(connection, network, e);
            }
        }
    }

    private void HandlerFailed(P2PConnection connection, NetworkConnection network, Exception e)
    {
        connection.CountError();
        Interlocked.Increment(ref _errors);
        NodeLog.HandlerFailed(_logger, network.RemotePeerId, e);
    }

    private void OnProtocolViolation(NetworkConnection network, string reason)
    {
        Interlocked.Increment(ref _errors);
        if (_connections.TryGetValue(network.Id, out var connection))
        {
            connection.CountError();
        }
    }

    private sealed record SendTarget(P2PConnection Connection, NetworkConnection Network);
}
