using System.Threading.Channels;
using Quids.Network.Muxing;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// The outbound half of <c>/quids/msg/1.0.0</c> for one connection: callers enqueue into a bounded channel and
/// one loop packs everything queued into the peer's stream, flushes once per batch, then releases the callers.
/// </summary>
internal sealed class MessageSender
{
    private readonly NetworkConnection _connection;
    private readonly MessagingOptions _options;
    private readonly Channel<PendingMessage> _queue;
    // Started by the first message, so an instance a concurrent dictionary creates and then discards costs nothing.
    private readonly Lazy<Task> _loop;

    public MessageSender(NetworkConnection connection, MessagingOptions options)
    {
        _connection = connection;
        _options = options;
        _queue = Channel.CreateBounded<PendingMessage>(new BoundedChannelOptions(options.MaxQueuedMessagesPerPeer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = new Lazy<Task>(() => Task.Run(RunAsync));
    }

    /// <summary>Completes when the message has been handed to the connection's socket.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var pending = new PendingMessage(message);
        _ = _loop.Value;
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new ConnectionLostException($"/quids/msg/1.0.0: the connection to {_connection.RemotePeerId} has ended.", e.InnerException);
        }

        await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>True once the sender has stopped (completed or failed); a new one is needed for more messages.</summary>
    public bool IsClosed => (_loop.IsValueCreated && _loop.Value.IsCompleted) || _queue.Reader.Completion.IsCompleted;

    /// <summary>Stops accepting messages; queued ones are still written unless the connection is gone.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _loop.IsValueCreated ? _loop.Value : Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingMessage>();
        IMuxedStream? stream = null;
        Exception? failure = null;
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync())
            {
                stream ??= await _connection.OpenStreamAsync(MessagingProtocol.Id, _options.StreamOpenTimeout);
                int bytes = 0;
                while (bytes < _options.MaxBatchBytes && reader.TryRead(out var pending))
                {
                    MessagingProtocol.WriteFrame(stream.Output, pending.Message.Span);
                    bytes += pending.Message.Length + 1;
                    batch.Add(pending);
                }

                var flush = await stream.Output.FlushAsync();
                if (flush.IsCompleted)
                {
                    throw new IOException("the peer stopped reading its message stream");
                }

                foreach (var sent in batch)
                {
                    sent.Completion.TrySetResult();
                }

                batch.Clear();
            }

            if (stream is not null)
            {
                await stream.CloseWriteAsync();

                // The remote closes its side once its handlers have taken every message: waiting for that makes a
                // graceful stop lossless (closing the connection earlier could reset data still in flight).
                while (true)
                {
                    var read = await stream.Input.ReadAsync();
                    stream.Input.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted || read.IsCanceled)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            var lost = failure is null ? null : new ConnectionLostException(
                $"/quids/msg/1.0.0: the message stream to {_connection.RemotePeerId} failed: {failure.Message}", failure);
            _queue.Writer.TryComplete(lost);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(lost ?? new ConnectionLostException("/quids/msg/1.0.0: sender stopped."));
            }

            while (_queue.Reader.TryRead(out var queued))
            {
                queued.Completion.TrySetException(lost ?? new ConnectionLostException("/quids/msg/1.0.0: sender stopped."));
            }

            if (stream is not null)
            {
                if (failure is not null)
                {
                    stream.Reset();
                }

                await stream.DisposeAsync();
            }
        }
    }

    private sealed class PendingMessage(ReadOnlyMemory<byte> message)
    {
        public ReadOnlyMemory<byte> Message { get; } = message;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
