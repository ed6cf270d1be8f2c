using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Quids.Network.Core;
using Quids.Network.Muxing;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// The outbound half of <c>/quids/msg/1.0.0</c> for one connection. While the peer's stream is open and its send
/// buffer has room, a caller appends its frame straight into the stream's send pipe under a short lock and gets a
/// completed task (the fast path: no allocation, no thread hop); the first message of a batch schedules one flush
/// on the thread pool, and the caller that fills a batch flushes it itself. Messages that arrive while the stream
/// is being opened, while a flush waits for room (back-pressure) or while the sender drains, queue in order and
/// share one task per group; the pump (<c>MessageSender.Pump.cs</c>) moves them into the buffer as room appears.
/// </summary>
internal sealed partial class MessageSender : IThreadPoolWorkItem
{
    private readonly Lock _gate = new();
    private readonly NetworkConnection _connection;
    private readonly MessagingOptions _options;
    private readonly IMessageSendObserver? _observer;
    private Queue<WaitingMessage> _waiting = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMuxedStream? _stream;
    private PipeWriter? _output;

    // Frames are written into memory taken from the writer once and committed (Advance) once per batch: the
    // pipe's Advance takes a monitor, which per 64-byte message cost more than the rest of a send.
    private Memory<byte> _head;

    /// <summary>How far ahead of the write position the next cache line is fetched: 8 frames of 64-byte messages.</summary>
    private const int PrefetchDistance = 512;
    private int _headUsed;
    private int _unflushedBytes;
    private int _unflushedMessages;
    private bool _flushQueued;

    // True while the pump owns the writer's flushes (opening, back-pressure, draining, failed): no fast path then.
    private bool _pumping;

    // Set once (by CompleteAsync or a failure): no message is taken any more.
    private bool _completing;
    private Exception? _failure;

    // The group that messages queued from now on join; the pump starts a new one at each pass.
    private TaskCompletionSource? _group;

    public MessageSender(NetworkConnection connection, MessagingOptions options, IMessageSendObserver? observer)
    {
        _connection = connection;
        _options = options;
        _observer = observer;
    }

    /// <summary>True once the sender stops taking messages (closing, closed or failed); a new one is needed.</summary>
    public bool IsClosed => Volatile.Read(ref _completing);

    /// <summary>
    /// Takes one message. <see cref="SendOutcome.Accepted"/>: the frame is in the stream's send buffer and the
    /// returned task is complete. <see cref="SendOutcome.Queued"/>: the task completes when the frame enters the
    /// buffer (the observer counts it then). <see cref="SendOutcome.Failed"/>: the task is faulted with
    /// <see cref="ConnectionLostException"/>.
    /// </summary>
    public Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken, out SendOutcome outcome)
    {
        Task task;
        bool queueFlush = false;
        bool startPump = false;
        ValueTask<FlushResult> pumpFlush = default;
        lock (_gate)
        {
            if (_completing)
            {
                outcome = SendOutcome.Failed;
                return Task.FromException(Lost(_failure));
            }

            if (!_pumping && _output is not null && !_stream!.IsReset)
            {
                AppendLocked(message.Span);
                _unflushedBytes += message.Length;
                if (++_unflushedMessages >= _options.MaxBatchMessages || _unflushedBytes >= _options.MaxBatchBytes)
                {
                    // A full batch is flushed by the caller that filled it: the buffer never outgrows the bound
                    // while the scheduled flush waits for a thread.
                    var flush = FlushLocked();
                    if (!IsGood(ref flush))
                    {
                        _pumping = startPump = true;
                        pumpFlush = flush;
                    }
                }
                else if (!_flushQueued)
                {
                    _flushQueued = queueFlush = true;
                }

                outcome = SendOutcome.Accepted;
                task = Task.CompletedTask;
            }
            else
            {
                var group = _group ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(new WaitingMessage(message, group));
                startPump = !_pumping;
                _pumping = true;
                outcome = SendOutcome.Queued;
                task = group.Task;
            }
        }

        if (queueFlush)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        if (startPump)
        {
            _ = PumpAsync(pumpFlush);
        }

        return task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops taking messages; what is buffered or queued is still written, then the stream is half-closed and the
    /// remote's close awaited (unless the connection is gone). Completes when the sender has finished.
    /// </summary>
    public Task CompleteAsync()
    {
        bool startPump;
        lock (_gate)
        {
            if (_completing)
            {
                return _done.Task;
            }

            Volatile.Write(ref _completing, true);
            startPump = !_pumping;
            _pumping = true;
        }

        if (startPump)
        {
            _ = PumpAsync(default);
        }

        return _done.Task;
    }

    /// <summary>The scheduled flush of a batch that did not fill up.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        ValueTask<FlushResult> flush;
        lock (_gate)
        {
            _flushQueued = false;
            if (_pumping || _unflushedMessages == 0)
            {
                return;
            }

            flush = FlushLocked();
            if (IsGood(ref flush))
            {
                return;
            }

            _pumping = true;
        }

        _ = PumpAsync(flush);
    }

    /// <summary>Writes one frame (length prefix and message) after the frames of the batch so far.</summary>
    private void AppendLocked(ReadOnlySpan<byte> message)
    {
        int needed = Varint.MaxLength + message.Length;
        if (_head.Length - _headUsed < needed)
        {
            CommitLocked();
            _head = _output!.GetMemory(needed);
        }

        var span = _head.Span[_headUsed..];
        int prefix = Varint.Write(span, (ulong)message.Length);
        message.CopyTo(span[prefix..]);
        _headUsed += prefix + message.Length;
        if (Sse.IsSupported && span.Length > PrefetchDistance)
        {
            // The writer's memory was last touched by the muxer on another core: fetching the lines a few small
            // frames ahead lets that transfer overlap, instead of the lock's release waiting for it per message.
            unsafe
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetReference(span), PrefetchDistance)));
            }
        }
    }

    /// <summary>Hands the frames written so far to the writer; its memory is not touched again after that.</summary>
    private void CommitLocked()
    {
        if (_headUsed > 0)
        {
            _output!.Advance(_headUsed);
        }

        _head = default;
        _headUsed = 0;
    }

    private ValueTask<FlushResult> FlushLocked()
    {
        CommitLocked();
        _unflushedBytes = 0;
        _unflushedMessages = 0;
        return _output!.FlushAsync();
    }

    /// <summary>
    /// True when the flush completed at once and the stream still reads; otherwise the pump takes over (it waits
    /// for room or fails the sender). A completed result is unwrapped so that the task is consumed only once.
    /// </summary>
    private static bool IsGood(ref ValueTask<FlushResult> flush)
    {
        if (!flush.IsCompletedSuccessfully)
        {
            return false;
        }

        var result = flush.Result;
        flush = new ValueTask<FlushResult>(result);
        return !result.IsCompleted && !result.IsCanceled;
    }

    private ConnectionLostException Lost(Exception? failure) => failure is null
        ? new ConnectionLostException($"/quids/msg/1.0.0: the sender to {_connection.RemotePeerId} has stopped.")
        : new ConnectionLostException($"/quids/msg/1.0.0: the message stream to {_connection.RemotePeerId} failed: {failure.Message}", failure);

    private readonly record struct WaitingMessage(ReadOnlyMemory<byte> Message, TaskCompletionSource Group);
}
