using Quids.Network.Core;
using System.Buffers;
using System.Collections.Concurrent;
using Quids.Network.Diagnostics;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Messaging;

/// <summary>A received application message handler: called in order per peer, in parallel across peers.</summary>
internal delegate ValueTask MessageReceivedHandler(NetworkConnection connection, ReadOnlyMemory<byte> message);

/// <summary>
/// <c>/quids/msg/1.0.0</c> on a node: one sender per connection, and a reader per inbound message stream
/// that hands each message to <see cref="MessageReceived"/> before reading the next (so a slow handler
/// slows only its own peer, through the stream's flow control).
/// </summary>
internal sealed class MessagingService
{
    private readonly Swarm _swarm;
    private readonly MessagingOptions _options;
    private readonly ConcurrentDictionary<long, MessageSender> _senders = new();

    public MessagingService(Swarm swarm, MessagingOptions options)
    {
        _swarm = swarm;
        _options = options;
        swarm.SetStreamHandler(MessagingProtocol.Id, ReceiveAsync);
        swarm.ConnectionClosed += (connection, reason) =>
        {
            if (_senders.TryRemove(connection.Id, out var sender))
            {
                _ = sender.CompleteAsync();
            }
        };
    }

    public MessagingOptions Options => _options;

    /// <summary>Called for every message received.</summary>
    public MessageReceivedHandler? MessageReceived { get; set; }

    /// <summary>Raised when a peer broke the protocol (oversized or malformed frame); its stream was reset.</summary>
    public event Action<NetworkConnection, string>? ProtocolViolation;

    /// <summary>Sends one message; completes once it is handed to the socket.</summary>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="MessagingOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="ConnectionLostException">The connection ended first.</exception>
    public Task SendAsync(NetworkConnection connection, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (message.Length > _options.MaxMessageSize)
        {
            throw new MessageTooLargeException(message.Length, _options.MaxMessageSize);
        }

        if (connection.Completion.IsCompleted)
        {
            throw new ConnectionLostException($"/quids/msg/1.0.0: the connection to {connection.RemotePeerId} has ended.");
        }

        // A sender whose stream failed (e.g. the peer reset it) is replaced: the next message opens a new stream.
        var sender = _senders.AddOrUpdate(
            connection.Id,
            static (_, state) => new MessageSender(state.Connection, state.Options),
            static (_, existing, state) => existing.IsClosed ? new MessageSender(state.Connection, state.Options) : existing,
            (Connection: connection, Options: _options));
        return sender.SendAsync(message, cancellationToken);
    }

    /// <summary>Lets every sender write what is queued, then closes the message streams.</summary>
    public Task FlushAllAsync() => Task.WhenAll(_senders.Values.Select(s => s.CompleteAsync()));

    private async Task ReceiveAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        var input = incoming.Stream.Input;
        var connection = incoming.Connection;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    var status = MessagingProtocol.TryReadFrame(ref buffer, _options.MaxMessageSize, out var frame, out ulong declared);
                    if (status == FrameStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status != FrameStatus.Frame)
                    {
                        string reason = status == FrameStatus.TooLarge
                            ? $"a message of {declared} bytes exceeds the limit of {_options.MaxMessageSize} bytes"
                            : "a message length prefix is not a valid varint";
                        Violation(connection, reason);
                        incoming.Stream.Reset();
                        return;
                    }

                    var handler = MessageReceived;
                    if (handler is not null)
                    {
                        await handler(connection, frame.ToArray());
                    }
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        Violation(connection, $"the stream ended inside a message ({buffer.Length} bytes of it received)");
                    }

                    return;
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private void Violation(NetworkConnection connection, string reason)
    {
        ProtocolLog.MessageProtocolViolation(_swarm.Logger, connection.RemotePeerId, reason);
        try
        {
            ProtocolViolation?.Invoke(connection, reason);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_swarm.Logger, nameof(ProtocolViolation), e);
        }
    }
}
