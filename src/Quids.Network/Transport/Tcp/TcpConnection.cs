using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Quids.Network.Transport.Tcp;

/// <summary>
/// A TCP socket drained by exactly two loops (see <c>TcpConnection.Loops.cs</c>): the receive loop fills the
/// input pipe, the send loop empties the output pipe. Pipe thresholds give back-pressure both ways.
/// </summary>
internal sealed partial class TcpConnection : ITransportConnection
{
    // Pipe segments come from the shared array pool in blocks of this size, so buffers are rented only
    // while bytes are in flight and returned as soon as they are consumed.
    private const int MinimumSegmentSize = 4096;

    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly TimeSpan _gracefulCloseTimeout;
    private readonly ConnectionClosedSignal _closed = new();
    private readonly Lock _socketLock = new();
    private bool _socketClosed;

    // Set under _socketLock once FIN is sent; a graceful close then skips a second shutdown call, which would
    // only fail (ENOTCONN) once the peer has closed too.
    private bool _sendShutDown;
    private volatile Exception? _closeReason;
    private int _disposed;
    private long _bytesReceived;
    private long _bytesSent;
    private Task _receiveTask = Task.CompletedTask;
    private Task _sendTask = Task.CompletedTask;

    private TcpConnection(Socket socket, TcpTransportOptions options)
    {
        _socket = socket;
        _gracefulCloseTimeout = options.GracefulCloseTimeout;
        LocalEndPoint = Normalize(socket.LocalEndPoint);
        RemoteEndPoint = Normalize(socket.RemoteEndPoint);
        ConnectionClosed = _closed.Token;

        // Continuations go to the thread pool on both sides, so application code never runs on a loop and a
        // loop never runs inside an application's FlushAsync or AdvanceTo call.
        _input = new Pipe(options.InputPipeOptions);
        _output = new Pipe(options.OutputPipeOptions);
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

    /// <summary>Wraps a connected socket and starts its two loops.</summary>
    public static TcpConnection Start(Socket socket, TcpTransportOptions options)
    {
        var connection = new TcpConnection(socket, options);
        connection._receiveTask = connection.ReceiveLoopAsync();
        connection._sendTask = connection.SendLoopAsync();
        return connection;
    }

    /// <inheritdoc />
    public void Abort(Exception? reason)
    {
        string why = reason is null ? "" : $": {reason.Message}";
        CloseSocket(new ConnectionAbortedException($"Transport: the connection to {RemoteEndPoint} was aborted{why}.", reason), abortive: true);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _output.Writer.Complete();
        await _sendTask.WaitAsync(_gracefulCloseTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_sendTask.IsCompleted)
        {
            Abort(new TimeoutException($"Transport: queued bytes to {RemoteEndPoint} were not sent within {_gracefulCloseTimeout.TotalSeconds} s."));
        }

        _input.Reader.Complete();
        CloseSocket(new ConnectionAbortedException($"Transport: the connection to {RemoteEndPoint} was closed locally."), abortive: false);

        // Both loops catch everything and complete their pipes, so awaiting them cannot throw.
        await Task.WhenAll(_receiveTask, _sendTask).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the socket once, recording why, and wakes both loops so they complete their pipes with that
    /// reason. An abortive close sends RST and drops unsent bytes, so the peer sees an error, not an end.
    /// </summary>
    private void CloseSocket(Exception reason, bool abortive)
    {
        lock (_socketLock)
        {
            if (_socketClosed)
            {
                return;
            }

            _socketClosed = true;
            _closeReason = reason;
            try
            {
                if (abortive)
                {
                    _socket.LingerState = new LingerOption(true, 0);
                }
                else if (!_sendShutDown)
                {
                    _socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (SocketException)
            {
                // The socket may already be reset by the peer; it is being closed either way.
            }

            _socket.Dispose();
        }

        _output.Reader.CancelPendingRead();
        _input.Writer.CancelPendingFlush();
    }

    private void FireConnectionClosed() => _closed.Fire();

    /// <summary>The options of one direction's pipe; made once per transport and shared by its connections.</summary>
    internal static PipeOptions CreatePipeOptions(long pauseThreshold) => new(
        pool: MemoryPool<byte>.Shared,
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: pauseThreshold,
        resumeWriterThreshold: pauseThreshold / 2,
        minimumSegmentSize: MinimumSegmentSize,
        useSynchronizationContext: false);

    // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; callers want the plain IPv4 address.
    private static EndPoint Normalize(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => new IPEndPoint(ip.Address.MapToIPv4(), ip.Port),
        null => new IPEndPoint(IPAddress.None, 0),
        _ => endPoint,
    };
}
