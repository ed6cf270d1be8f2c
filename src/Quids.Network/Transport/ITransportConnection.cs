using System.IO.Pipelines;
using System.Net;

namespace Quids.Network.Transport;

/// <summary>
/// One raw, unencrypted byte stream to a remote endpoint, exposed as a pipe pair. The application reads
/// <see cref="IDuplexPipe.Input"/> and writes <see cref="IDuplexPipe.Output"/>; the transport moves the
/// bytes with one receive loop and one send loop.
/// </summary>
/// <remarks>
/// Three ways to end a connection, each distinct:
/// <list type="bullet">
/// <item>Completing <c>Transport.Output</c> is a half close: queued bytes are sent, then the peer sees the
/// end of its input, and this side can still read.</item>
/// <item><see cref="Abort"/> is immediate: unsent bytes are dropped and the peer sees an error (TCP: RST).</item>
/// <item><see cref="IAsyncDisposable.DisposeAsync"/> is graceful: it completes the output, lets the send loop
/// flush what is queued within a bounded time (aborting if that time passes), then closes.</item>
/// </list>
/// </remarks>
internal interface ITransportConnection : IAsyncDisposable
{
    /// <summary>The application's side of the connection.</summary>
    IDuplexPipe Transport { get; }

    /// <summary>The local endpoint of the connection.</summary>
    EndPoint LocalEndPoint { get; }

    /// <summary>The remote endpoint of the connection.</summary>
    EndPoint RemoteEndPoint { get; }

    /// <summary>
    /// Fires once when the connection can no longer receive (the peer closed, reset, or this side aborted
    /// or disposed) or the send loop failed.
    /// </summary>
    CancellationToken ConnectionClosed { get; }

    /// <summary>Bytes received from the peer so far.</summary>
    long BytesReceived { get; }

    /// <summary>Bytes handed to the peer so far.</summary>
    long BytesSent { get; }

    /// <summary>
    /// Closes the connection at once, dropping unsent bytes. Reads on this side then fail with a
    /// <see cref="ConnectionAbortedException"/> carrying <paramref name="reason"/>.
    /// </summary>
    void Abort(Exception? reason);
}
