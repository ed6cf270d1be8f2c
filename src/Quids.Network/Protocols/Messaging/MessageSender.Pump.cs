using System.IO.Pipelines;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// The slow path: opens the stream, waits out back-pressure, moves queued messages into the buffer in order, and
/// closes or fails the sender. Only one pump runs at a time (<c>_pumping</c>); it hands the fast path back as soon
/// as nothing is queued and no flush is pending.
/// </summary>
internal sealed partial class MessageSender
{
    private readonly List<TaskCompletionSource> _released = [];

    // Messages the pump has taken from the queue and not yet written; touched by the pump only.
    private Queue<WaitingMessage> _moving = new();

    private async Task PumpAsync(ValueTask<FlushResult> pendingFlush)
    {
        try
        {
            Check(await pendingFlush.ConfigureAwait(false));
            while (true)
            {
                if (_stream is null && HasQueued())
                {
                    var stream = await _connection.OpenStreamAsync(MessagingProtocol.Id, _options.StreamOpenTimeout).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _stream = stream;
                        _output = stream.Output;
                    }
                }

                ValueTask<FlushResult> flush = default;
                int moved = 0;
                bool close = false;
                lock (_gate)
                {
                    if (_stream?.IsReset == true)
                    {
                        throw new IOException("the message stream was reset");
                    }

                    // Everything queued so far is taken in one swap; callers keep queueing (briefly locking) while
                    // the pump writes it, instead of waiting for a whole batch to be written under the lock.
                    if (_moving.Count == 0 && _output is not null && _waiting.Count > 0)
                    {
                        _group = null;
                        (_moving, _waiting) = (_waiting, _moving);
                    }

                    if (_moving.Count == 0 && _waiting.Count == 0)
                    {
                        if (!_completing)
                        {
                            _pumping = false;
                            return;
                        }

                        close = true;
                    }
                }

                // Only the pump writes while it runs (_pumping keeps the fast path and the scheduled flush out).
                while (!close && _output is not null && _unflushedMessages < _options.MaxBatchMessages && _unflushedBytes < _options.MaxBatchBytes &&
                       _moving.TryDequeue(out var next))
                {
                    AppendLocked(next.Message.Span);
                    _unflushedBytes += next.Message.Length;
                    _unflushedMessages++;
                    moved++;
                    if (!_moving.TryPeek(out var after) || after.Group != next.Group)
                    {
                        _released.Add(next.Group);
                    }
                }

                if (_unflushedMessages > 0)
                {
                    flush = FlushLocked();
                }

                if (moved > 0)
                {
                    _observer?.OnAccepted(_connection, moved);
                }

                foreach (var group in _released)
                {
                    group.TrySetResult();
                }

                _released.Clear();
                if (close)
                {
                    break;
                }

                Check(await flush.ConfigureAwait(false));
            }

            await CloseGracefullyAsync().ConfigureAwait(false);
            await FinishAsync(null).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await FinishAsync(e).ConfigureAwait(false);
        }
    }

    private bool HasQueued()
    {
        lock (_gate)
        {
            return _waiting.Count > 0;
        }
    }

    private static void Check(FlushResult result)
    {
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new IOException("the peer stopped reading its message stream");
        }
    }

    /// <summary>
    /// Half-closes and waits for the remote to close its side: it does so once its handlers have taken every
    /// message, so a graceful stop is lossless (closing the connection earlier could reset data still in flight).
    /// </summary>
    private async Task CloseGracefullyAsync()
    {
        if (_stream is not { } stream)
        {
            return;
        }

        await stream.CloseWriteAsync().ConfigureAwait(false);
        while (true)
        {
            var read = await stream.Input.ReadAsync().ConfigureAwait(false);
            stream.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Fails whatever is still queued (none of it reached the buffer) and releases the stream.</summary>
    private async Task FinishAsync(Exception? failure)
    {
        List<TaskCompletionSource> groups = [];
        int lost;
        lock (_gate)
        {
            Volatile.Write(ref _completing, true);
            _failure ??= failure;
            lost = _moving.Count + _waiting.Count;
            foreach (var queue in (Queue<WaitingMessage>[])[_moving, _waiting])
            {
                while (queue.TryDequeue(out var waiting))
                {
                    if (groups.Count == 0 || groups[^1] != waiting.Group)
                    {
                        groups.Add(waiting.Group);
                    }
                }
            }
        }

        if (lost > 0)
        {
            _observer?.OnFailed(_connection, lost);
            var exception = Lost(failure);
            foreach (var group in groups)
            {
                group.TrySetException(exception);
            }
        }

        if (_stream is { } stream)
        {
            if (failure is not null)
            {
                stream.Reset();
            }

            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The connection is already gone: nothing left to release.
            }
        }

        _done.TrySetResult();
    }
}
