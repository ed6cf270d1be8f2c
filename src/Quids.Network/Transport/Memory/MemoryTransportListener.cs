using System.Net;
using System.Threading.Channels;

namespace Quids.Network.Transport.Memory;

/// <summary>Inbound connections of one <see cref="MemoryNetwork"/> endpoint, queued until accepted.</summary>
internal sealed class MemoryTransportListener : ITransportListener
{
    private readonly MemoryNetwork _network;
    private readonly Channel<MemoryConnection> _pending;

    public MemoryTransportListener(MemoryNetwork network, EndPoint endPoint, int backlog)
    {
        _network = network;
        LocalEndPoint = endPoint;
        _pending = Channel.CreateBounded<MemoryConnection>(new BoundedChannelOptions(backlog)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
        });
    }

    /// <inheritdoc />
    public EndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public async ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_pending.Reader.TryRead(out MemoryConnection? connection))
            {
                return connection;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _network.Remove(LocalEndPoint, this);
        _pending.Writer.TryComplete();

        // Dialers whose connection was queued but never accepted see a reset, as with a closed TCP listener.
        while (_pending.Reader.TryRead(out MemoryConnection? connection))
        {
            connection.Abort(new IOException($"Transport: the listener on {LocalEndPoint} was closed before accepting."));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Queues a dialed connection; false when the backlog is full or the listener is closed.</summary>
    internal bool TryEnqueue(MemoryConnection connection) => _pending.Writer.TryWrite(connection);
}
