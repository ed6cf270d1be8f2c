using Quids.Network.Core;
using System.Buffers;
using System.Collections.Concurrent;
using Quids.Network.Diagnostics;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// <c>/quids/msg/1.0.0</c> on a node: one sender per connection, and a reader per inbound message stream
/// that hands each message to the handler <see cref="MessageReceiver"/> gives before taking the next (so a slow handler
/// slows only its own peer, through the stream's flow control). The reader parses every frame a read brings and
/// calls the handler inline; each message gets memory of its own that is never reused (<see cref="MessageSlab"/>).
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

    /// <summary>
    /// Gives, once per inbound message stream, the receiver of every message on it (so that what depends only on
    /// the stream is looked up once, not per message); it is told when the stream ends.
    /// </summary>
    public Func<NetworkConnection, IMessageReceiver?>? MessageReceiver { get; set; }

    /// <summary>Raised when a peer broke the protocol (oversized or malformed frame); its stream was reset.</summary>
    public event Action<NetworkConnection, string>? ProtocolViolation;

    /// <summary>Told how queued messages end, for statistics (see <see cref="MessageSender.SendAsync"/>).</summary>
    public IMessageSendObserver? SendObserver { get; init; }

    /// <summary>
    /// Sends one message; completes once it is in the connection's send buffer (at once unless back-pressure
    /// applies). See <see cref="MessageSender.SendAsync"/> for <paramref name="outcome"/>.
    /// </summary>
    /// <exception cref="MessageTooLargeException">The message exceeds <see cref="MessagingOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="ConnectionLostException">The connection ended first.</exception>
    public Task SendAsync(NetworkConnection connection, ReadOnlyMemory<byte> message, CancellationToken cancellationToken, out SendOutcome outcome)
    {
        if (message.Length > _options.MaxMessageSize)
        {
            throw new MessageTooLargeException(message.Length, _options.MaxMessageSize);
        }

        if (connection.Completion.IsCompleted)
        {
            throw new ConnectionLostException($"/quids/msg/1.0.0: the connection to {connection.RemotePeerId} has ended.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            outcome = SendOutcome.Failed;
            return Task.FromCanceled(cancellationToken);
        }

        if (!_senders.TryGetValue(connection.Id, out var sender) || sender.IsClosed)
        {
            // A sender whose stream failed (e.g. the peer reset it) is replaced: the next message opens a new stream.
            sender = _senders.AddOrUpdate(
                connection.Id,
                static (_, state) => new MessageSender(state.Connection, state.Options, state.Observer),
                static (_, existing, state) => existing.IsClosed ? new MessageSender(state.Connection, state.Options, state.Observer) : existing,
                (Connection: connection, Options: _options, Observer: SendObserver));
        }

        return sender.SendAsync(message, cancellationToken, out outcome);
    }

    /// <summary>Lets every sender write what is queued, then closes the message streams.</summary>
    public Task FlushAllAsync() => Task.WhenAll(_senders.Values.Select(s => s.CompleteAsync()));

    private async Task ReceiveAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        var handler = MessageReceiver?.Invoke(incoming.Connection);
        try
        {
            await ReadMessagesAsync(incoming, handler, cancellationToken);
        }
        finally
        {
            handler?.OnEnded();
        }
    }

    private async Task ReadMessagesAsync(IncomingStream incoming, IMessageReceiver? handler, CancellationToken cancellationToken)
    {
        var input = incoming.Stream.Input;
        var connection = incoming.Connection;
        var slab = new MessageSlab();
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    var status = Dispatch(ref buffer, handler, slab, out var pending, out ulong declared);
                    if (status == FrameStatus.Frame)
                    {
                        // A handler did not finish synchronously: the next message of this peer waits for it.
                        await pending;
                        continue;
                    }

                    if (status == FrameStatus.NeedMoreData)
                    {
                        break;
                    }

                    string reason = status == FrameStatus.TooLarge
                        ? $"a message of {declared} bytes exceeds the limit of {_options.MaxMessageSize} bytes"
                        : "a message length prefix is not a valid varint";
                    Violation(connection, reason);
                    incoming.Stream.Reset();
                    return;
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

    /// <summary>
    /// Hands the complete frames at the start of <paramref name="buffer"/> to the handler, one after another and
    /// without a thread hop, advancing the buffer past each. Returns <see cref="FrameStatus.Frame"/> with
    /// <paramref name="pending"/> when a handler has not finished (the caller awaits it, then calls again),
    /// <see cref="FrameStatus.NeedMoreData"/> at an incomplete frame, or the violation found.
    /// </summary>
    private FrameStatus Dispatch(
        ref ReadOnlySequence<byte> buffer, IMessageReceiver? handler, MessageSlab slab, out ValueTask pending, out ulong declared)
    {
        pending = default;
        declared = 0;
        ulong limit = (ulong)_options.MaxMessageSize;
        while (true)
        {
            // Frames wholly inside the first segment are parsed from its span: the common case, and the cheap one.
            ReadOnlySpan<byte> span = buffer.FirstSpan;
            int offset = 0;
            while (Varint.TryRead(span[offset..], out ulong length, out int prefix) == VarintStatus.Done &&
                   length <= limit && length <= (ulong)(span.Length - offset - prefix))
            {
                var message = slab.Copy(span.Slice(offset + prefix, (int)length));
                offset += prefix + (int)length;
                if (handler is not null && !Invoke(handler, message, ref pending))
                {
                    buffer = buffer.Slice(offset);
                    return FrameStatus.Frame;
                }
            }

            buffer = buffer.Slice(offset);

            // A frame across segments, an incomplete frame, or a violation.
            var status = MessagingProtocol.TryReadFrame(ref buffer, _options.MaxMessageSize, out var frame, out declared);
            if (status != FrameStatus.Frame)
            {
                return status;
            }

            if (handler is not null && !Invoke(handler, slab.Copy(frame), ref pending))
            {
                return FrameStatus.Frame;
            }
        }
    }

    private static bool Invoke(IMessageReceiver handler, ReadOnlyMemory<byte> message, ref ValueTask pending)
    {
        var task = handler.OnMessage(message);
        if (task.IsCompletedSuccessfully)
        {
            return true;
        }

        pending = task;
        return false;
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
