using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Messaging;

namespace Quids.Network;

/// <summary>Handles an application message; runs in order per peer, in parallel across peers.</summary>
/// <param name="peer">Who sent it.</param>
/// <param name="message">The message bytes; valid after the handler returns (each message has its own buffer).</param>
public delegate void MessageHandler(PeerInfo peer, ReadOnlyMemory<byte> message);

/// <summary>Handles an application message asynchronously; the next message of the same peer waits for it.</summary>
/// <param name="peer">Who sent it.</param>
/// <param name="message">The message bytes.</param>
public delegate ValueTask AsyncMessageHandler(PeerInfo peer, ReadOnlyMemory<byte> message);

public sealed partial class P2PNode
{
    private AsyncMessageHandler[] _handlers = [];

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
    /// (the address it was dialed at, connected from, or advertises). Completes once the message is handed to
    /// the socket.
    /// </summary>
    /// <exception cref="PeerNotConnectedException">No connected peer has that address.</exception>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="P2PNodeOptions.BufferSize"/>.</exception>
    /// <exception cref="ConnectionLostException">The connection ended before the message was handed to the socket.</exception>
    public Task SendMessageToPeerAsync(string host, int port, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        RunningSwarm();
        var connection = FindConnection(host, port, ResolveQuietly(host))
            ?? throw new PeerNotConnectedException($"No connected peer at {host}:{port}; connect first with ConnectToPeerAsync.");
        return SendAsync(connection, message, cancellationToken);
    }

    /// <summary>Sends <paramref name="message"/> to a connected peer by id; completes once handed to the socket.</summary>
    /// <exception cref="PeerNotConnectedException">The peer is not connected.</exception>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="P2PNodeOptions.BufferSize"/>.</exception>
    /// <exception cref="ConnectionLostException">The connection ended before the message was handed to the socket.</exception>
    public Task SendMessageToPeerAsync(PeerId peer, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        RunningSwarm();
        var connection = FindConnection(peer) ?? throw new PeerNotConnectedException($"Peer {peer} is not connected.");
        return SendAsync(connection, message, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> to every connected peer and reports, per peer, whether it was handed to
    /// the socket. One slow or failing peer does not hold up or fail the others.
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

    private async Task SendAsync(P2PConnection connection, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var network = connection.Network ?? throw new PeerNotConnectedException($"{connection} is not connected.");
        try
        {
            await _messaging!.SendAsync(network, message, cancellationToken);
            connection.CountSent();
            Interlocked.Increment(ref _messagesSent);
        }
        catch (Exception e) when (e is not MessageTooLargeException and not OperationCanceledException)
        {
            connection.CountError();
            Interlocked.Increment(ref _errors);
            throw;
        }
    }

    private async ValueTask OnMessageAsync(NetworkConnection network, ReadOnlyMemory<byte> message)
    {
        if (!_connections.TryGetValue(network.Id, out var connection))
        {
            return;
        }

        connection.CountReceived();
        Interlocked.Increment(ref _messagesReceived);
        var peer = new PeerInfo(network.RemotePeerId, connection.Address, connection.Port);
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                await handler(peer, message);
            }
            catch (Exception e)
            {
                connection.CountError();
                Interlocked.Increment(ref _errors);
                NodeLog.HandlerFailed(_logger, network.RemotePeerId, e);
            }
        }
    }

    private void OnProtocolViolation(NetworkConnection network, string reason)
    {
        Interlocked.Increment(ref _errors);
        if (_connections.TryGetValue(network.Id, out var connection))
        {
            connection.CountError();
        }
    }
}
