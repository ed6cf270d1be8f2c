using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace Quids.Network.Transport.Memory;

/// <summary>
/// One end of an in-process connection. Like a TCP connection it has an input and an output pipe; its
/// single relay loop (the send loop) copies its output into the peer's input, so back-pressure, half
/// close, abort and the byte counters behave as they do over a socket.
/// </summary>
internal sealed class MemoryConnection : ITransportConnection
{
    // Same bound as TCP's default: a peer that stops reading cannot hold a closing connection open.
    private static readonly TimeSpan GracefulCloseTimeout = TimeSpan.FromSeconds(5);

    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly ConnectionClosedSignal _closed = new();
    private MemoryConnection _peer = null!;
    private Task _relayTask = Task.CompletedTask;
    private volatile Exception? _abortReason;
    private int _disposed;
    private long _bytesReceived;
    private long _bytesSent;

    private MemoryConnection(EndPoint local, EndPoint remote, long maxBufferSize)
    {
        LocalEndPoint = local;
        RemoteEndPoint = remote;
        ConnectionClosed = _closed.Token;
        var options = new PipeOptions(
            pool: MemoryPool<byte>.Shared,
            readerScheduler: PipeScheduler.ThreadPool,
            writerScheduler: PipeScheduler.ThreadPool,
            pauseWriterThreshold: maxBufferSize,
            resumeWriterThreshold: maxBufferSize / 2,
            useSynchronizationContext: false);
        _input = new Pipe(options);
        _output = new Pipe(options);
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
    }

    /// <inheritdoc />
    public IDuplexPipe Transport { get; }

    /// <inheritdoc />
    public EndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public EndPoint RemoteEndPoint { get; }

    /// <inheritdoc />
    public CancellationToken ConnectionClosed { get; }

    /// <inheritdoc />
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <inheritdoc />
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Creates both ends of a connection, wired to each other, with their relays running.</summary>
    public static (MemoryConnection Dialer, MemoryConnection Listener) CreatePair(EndPoint dialerEnd, EndPoint listenerEnd, long maxBufferSize)
    {
        var dialer = new MemoryConnection(dialerEnd, listenerEnd, maxBufferSize);
        var listener = new MemoryConnection(listenerEnd, dialerEnd, maxBufferSize);
        dialer._peer = listener;
        listener._peer = dialer;
        dialer._relayTask = dialer.RelayAsync();
        listener._relayTask = listener.RelayAsync();
        return (dialer, listener);
    }

    /// <inheritdoc />
    public void Abort(Exception? reason)
    {
        string why = reason is null ? "" : $": {reason.Message}";
        var error = new ConnectionAbortedException($"Transport: the connection to {RemoteEndPoint} was aborted{why}.", reason);
        if (Interlocked.CompareExchange(ref _abortReason, error, null) is not null)
        {
            return;
        }

        // Stop both relays wherever they wait: this side's drops its unsent bytes, the peer's completes
        // this side's input with the abort reason. Each relay sees the flag and ends its pipes accordingly.
        _output.Reader.CancelPendingRead();
        _peer._input.Writer.CancelPendingFlush();
        _peer._output.Reader.CancelPendingRead();
        _input.Writer.CancelPendingFlush();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _output.Writer.Complete();
        await _relayTask.WaitAsync(GracefulCloseTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_relayTask.IsCompleted)
        {
            Abort(new TimeoutException($"Transport: queued bytes to {RemoteEndPoint} were not taken within {GracefulCloseTimeout.TotalSeconds} s."));
        }

        // Completing the reader also wakes a peer relay blocked on our full input; it then stops sending.
        _input.Reader.Complete();
        FireConnectionClosed();
        await _relayTask.ConfigureAwait(false);
    }

    private async Task RelayAsync()
    {
        PipeReader output = _output.Reader;
        PipeWriter peerInput = _peer._input.Writer;
        bool graceful = false;
        try
        {
            while (true)
            {
                ReadResult result = await output.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled || _abortReason is not null || _peer._abortReason is not null)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    peerInput.Write(segment.Span);
                }

                long length = buffer.Length;
                output.AdvanceTo(buffer.End); // The buffer's segments are recycled from here on.
                Interlocked.Add(ref _bytesSent, length);
                Interlocked.Add(ref _peer._bytesReceived, length);
                FlushResult flush = await peerInput.FlushAsync().ConfigureAwait(false);
                if (flush.IsCanceled || flush.IsCompleted)
                {
                    break;
                }

                if (result.IsCompleted)
                {
                    graceful = true;
                    break;
                }
            }
        }
        catch (Exception exception)
        {
            // Unexpected (a pipe misuse by the application); end both directions with it rather than lose it.
            peerInput.Complete(new ConnectionResetException($"Transport: the connection from {LocalEndPoint} failed.", exception));
            output.Complete(exception);
            End(failed: true);
            return;
        }

        if (graceful)
        {
            peerInput.Complete(); // Half close: the peer reads to the end; this side can still receive.
            output.Complete();
            End(failed: false);
            return;
        }

        Exception? ownAbort = _abortReason;
        Exception? peerAbort = _peer._abortReason;
        var reset = new ConnectionResetException($"Transport: the connection to {(ownAbort is null ? RemoteEndPoint : LocalEndPoint)} was reset by the peer.");
        peerInput.Complete(peerAbort ?? (ownAbort is null ? null : reset));
        output.Complete(ownAbort ?? reset);
        End(failed: true);
    }

    // The peer's input is complete now, so the peer can no longer receive; a failed relay also closes this end.
    private void End(bool failed)
    {
        _peer.FireConnectionClosed();
        if (failed)
        {
            FireConnectionClosed();
        }
    }

    private void FireConnectionClosed() => _closed.Fire();
}
