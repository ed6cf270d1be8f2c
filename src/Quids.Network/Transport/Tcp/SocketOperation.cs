using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Quids.Network.Transport.Tcp;

/// <summary>
/// One reusable socket receive or send, awaitable without allocating, that lets go of its buffer as soon as the
/// operation completes. The socket's own cached event args keep a reference to the last buffer they used for as
/// long as the connection lives; with pooled pipe blocks that pins, per idle connection, a 4 KiB block the pool
/// has already handed back (or dropped), so an idle connection would hold memory it no longer uses.
/// </summary>
/// <remarks>One operation at a time: each connection loop owns one instance and awaits it before the next call.</remarks>
internal sealed class SocketOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _source;

    // The loops already run on the thread pool and never need the caller's ExecutionContext.
    public SocketOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Receives into <paramref name="buffer"/> (empty: waits until data or the end arrives, holding no buffer).</summary>
    public ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> buffer)
    {
        SetBuffer(buffer);
        return Start(socket, static (s, e) => s.ReceiveAsync(e));
    }

    /// <summary>Sends <paramref name="buffer"/>; returns the bytes sent.</summary>
    public ValueTask<int> SendAsync(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        // The socket only reads a send buffer; SocketAsyncEventArgs has no read-only overload.
        SetBuffer(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer));
        return Start(socket, static (s, e) => s.SendAsync(e));
    }

    /// <summary>Sends the segments of <paramref name="buffers"/> in one gathered call; returns the bytes sent.</summary>
    public ValueTask<int> SendAsync(Socket socket, IList<ArraySegment<byte>> buffers)
    {
        BufferList = buffers;
        return Start(socket, static (s, e) => s.SendAsync(e));
    }

    int IValueTaskSource<int>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        // Completed asynchronously, on a socket-engine or thread-pool thread: release the buffer, then wake the loop.
        if (TryTakeResult(out int transferred, out SocketException? error))
        {
            _source.SetResult(transferred);
        }
        else
        {
            _source.SetException(error!);
        }
    }

    private ValueTask<int> Start(Socket socket, Func<Socket, SocketAsyncEventArgs, bool> operation)
    {
        _source.Reset();
        bool pending;
        try
        {
            pending = operation(socket, this);
        }
        catch
        {
            // Refused before it started (the socket is closed): nothing holds the buffer but these args.
            TryTakeResult(out _, out _);
            throw;
        }

        if (pending)
        {
            return new ValueTask<int>(this, _source.Version);
        }

        return TryTakeResult(out int transferred, out SocketException? error)
            ? new ValueTask<int>(transferred)
            : ValueTask.FromException<int>(error!);
    }

    private bool TryTakeResult(out int transferred, out SocketException? error)
    {
        transferred = BytesTransferred;
        error = SocketError == SocketError.Success ? null : new SocketException((int)SocketError);
        if (BufferList is not null)
        {
            BufferList = null;
        }
        else
        {
            SetBuffer(Memory<byte>.Empty);
        }

        return error is null;
    }
}
