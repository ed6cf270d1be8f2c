using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Quids.Network.Transport.Tcp;

internal sealed partial class TcpConnection
{
    // Each receive asks for at least this much room; half a pool block, as Kestrel does, so a partly
    // filled block is still used instead of renting a new one for every read.
    private const int MinimumReceiveSize = MinimumSegmentSize / 2;

    // Largest single receive, in bytes. Each receive asks for what the kernel already holds (FIONREAD), up to
    // this, so a bulk burst costs one recv instead of a ramp of small ones (2, 4, 8... KiB, each a syscall, each
    // a pipe block a 64 KiB Noise frame would straddle), while a quiet connection still waits without a buffer.
    private const int MaximumReceiveSize = 256 * 1024;

    // Segments gathered into one sendmsg call. Linux accepts up to IOV_MAX (1024); 64 blocks of 4 KiB
    // already fill a typical socket send buffer, so more would only lengthen the list.
    private const int MaxSegmentsPerSend = 64;

    // One operation per loop, so that no buffer stays referenced once its operation is done (see SocketOperation).
    private readonly SocketOperation _receiver = new();
    private readonly SocketOperation _sender = new();

    // Gathered sends get their own operation and list, made on first use: the socket keeps a gathered send's
    // list capacity for good, and an idle connection (whose sends fit one block) should not pay for it.
    private SocketOperation? _gatherSender;
    private List<ArraySegment<byte>>? _sendSegments;

    private async Task ReceiveLoopAsync()
    {
        PipeWriter input = _input.Writer;
        Exception? error = null;
        bool full = false;
        try
        {
            while (true)
            {
                // After a receive that filled its buffer more bytes are usually waiting: take them at once.
                // Otherwise wait for readable data without holding a buffer, so an idle connection pins no
                // memory (also right after a bulk transfer, which would otherwise park a large receive).
                bool waitedAsynchronously = false;
                if (!full)
                {
                    ValueTask<int> readable = _receiver.ReceiveAsync(_socket, Memory<byte>.Empty);
                    if (readable.IsCompleted)
                    {
                        readable.GetAwaiter().GetResult();
                    }
                    else
                    {
                        await readable.ConfigureAwait(false);
                        waitedAsynchronously = true;
                    }
                }

                int available = _socket.Available;
                if (available == 0 && (full || waitedAsynchronously))
                {
                    // Nothing left after a full receive, or a stale wake-up: an edge-triggered readiness event can
                    // outlive the data it announced (a receive already took it), and a receive started now would
                    // park a pipe block on an idle socket. At the end of the stream nothing is available either,
                    // but the next wait then completes at once (the runtime peeks first) and the receive below
                    // sees the end.
                    full = false;
                    continue;
                }

                Memory<byte> buffer = input.GetMemory(Math.Clamp(available, MinimumReceiveSize, MaximumReceiveSize));
                int received = await _receiver.ReceiveAsync(_socket, buffer).ConfigureAwait(false);
                if (received == 0)
                {
                    break; // FIN: the peer will send no more.
                }

                full = received == buffer.Length;
                input.Advance(received);
                Interlocked.Add(ref _bytesReceived, received);

                // Waits here while the reader is behind by MaxReadBufferSize: the kernel buffer then fills
                // and TCP flow control slows the peer.
                FlushResult flush = await input.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception exception)
        {
            error = Translate(exception);
        }

        _receiver.Dispose();

        // A close on this side explains any socket error it caused, so report the close's reason instead.
        error = _closeReason ?? error;
        input.Complete(error);
        if (error is not null)
        {
            // The socket is dead; stop the send loop too so writers learn it rather than queue into nothing.
            CloseSocket(error, abortive: false);
        }

        FireConnectionClosed();
    }

    private async Task SendLoopAsync()
    {
        PipeReader output = _output.Reader;
        Exception? error = null;
        bool completed = false;
        try
        {
            while (true)
            {
                ReadResult result = await output.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break; // Abort or close: unsent bytes are dropped.
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    await SendAsync(buffer).ConfigureAwait(false);
                    Interlocked.Add(ref _bytesSent, buffer.Length);
                }

                output.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    completed = true;
                    break;
                }
            }
        }
        catch (Exception exception)
        {
            error = Translate(exception);
        }

        _sender.Dispose();
        _gatherSender?.Dispose();
        if (completed && ShutdownSend())
        {
            // Half close: the peer sees the end of its input; this side can still receive.
            output.Complete();
            return;
        }

        error = _closeReason ?? error ?? new ConnectionAbortedException($"Transport: the connection to {RemoteEndPoint} was closed.");
        CloseSocket(error, abortive: false);
        output.Complete(error);
        FireConnectionClosed();
    }

    /// <summary>Sends the whole buffer, gathering array-backed segments into as few sendmsg calls as possible.</summary>
    private async ValueTask SendAsync(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            await SendAllAsync(buffer.First).ConfigureAwait(false);
            return;
        }

        _sendSegments ??= new(MaxSegmentsPerSend);
        foreach (ReadOnlyMemory<byte> memory in buffer)
        {
            if (MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment))
            {
                _sendSegments.Add(segment);
                if (_sendSegments.Count == MaxSegmentsPerSend)
                {
                    await SendSegmentsAsync().ConfigureAwait(false);
                }
            }
            else
            {
                // Not array-backed (a native pool): send it alone, still without copying.
                await SendSegmentsAsync().ConfigureAwait(false);
                await SendAllAsync(memory).ConfigureAwait(false);
            }
        }

        await SendSegmentsAsync().ConfigureAwait(false);
    }

    private async ValueTask SendSegmentsAsync()
    {
        if (_sendSegments is not { Count: > 0 })
        {
            return;
        }

        _gatherSender ??= new SocketOperation();
        int sent = await _gatherSender.SendAsync(_socket, _sendSegments).ConfigureAwait(false);

        // A stream socket normally takes the whole list; should it not, send what is left one by one.
        foreach (ArraySegment<byte> segment in _sendSegments)
        {
            if (sent >= segment.Count)
            {
                sent -= segment.Count;
                continue;
            }

            await SendAllAsync(segment.AsMemory(sent)).ConfigureAwait(false);
            sent = 0;
        }

        _sendSegments.Clear();
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> memory)
    {
        while (!memory.IsEmpty)
        {
            int sent = await _sender.SendAsync(_socket, memory).ConfigureAwait(false);
            memory = memory[sent..];
        }
    }

    private bool ShutdownSend()
    {
        lock (_socketLock)
        {
            if (_socketClosed)
            {
                return false;
            }

            try
            {
                _socket.Shutdown(SocketShutdown.Send);
                _sendShutDown = true;
                return true;
            }
            catch (SocketException)
            {
                return false; // Already reset by the peer: report it as a failed send below.
            }
        }
    }

    // Callers see one IOException type for a dead connection whatever the socket error was; the
    // SocketException stays as the inner exception for diagnostics.
    private Exception Translate(Exception exception) => exception switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } socket =>
            new ConnectionResetException($"Transport: the connection to {RemoteEndPoint} was reset by the peer ({socket.SocketErrorCode}).", socket),
        SocketException socket =>
            new ConnectionResetException($"Transport: the connection to {RemoteEndPoint} was lost ({socket.SocketErrorCode}).", socket),
        _ => exception,
    };
}
