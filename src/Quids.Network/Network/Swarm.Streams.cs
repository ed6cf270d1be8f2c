using Quids.Network.Diagnostics;
using Quids.Network.Multistream;
using Quids.Network.Muxing;

namespace Quids.Network.Network;

internal sealed partial class Swarm
{
    /// <summary>Accepts the connection's inbound streams until it ends, then unregisters it.</summary>
    private async Task RunConnectionAsync(NetworkConnection connection)
    {
        int negotiating = 0;
        try
        {
            while (true)
            {
                IMuxedStream? stream = await connection.Muxer.AcceptStreamAsync(_stopping.Token);
                if (stream is null)
                {
                    break;
                }

                if (Interlocked.Increment(ref negotiating) > _options.MaxNegotiatingStreamsPerConnection)
                {
                    Interlocked.Decrement(ref negotiating);
                    NetworkLog.StreamRejected(_logger, connection.Id, connection.RemotePeerId, _options.MaxNegotiatingStreamsPerConnection);
                    stream.Reset();
                    await stream.DisposeAsync();
                    continue;
                }

                _ = HandleStreamAsync(connection, stream, () => Interlocked.Decrement(ref negotiating));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Node shutting down; DisposeAsync closes the connection.
        }
        catch (Exception e)
        {
            NetworkLog.ConnectionFailed(_logger, connection.Id, connection.RemotePeerId, e.Message);
        }

        Exception? reason = null;
        try
        {
            await connection.Completion;
        }
        catch (Exception e)
        {
            reason = e;
        }

        await connection.DisposeAsync();
        _connections.TryRemove(connection.Id, out _);
        lock (_byPeer)
        {
            if (_byPeer.TryGetValue(connection.RemotePeerId, out var current) && current == connection)
            {
                _byPeer.Remove(connection.RemotePeerId);
            }
        }

        ReleaseSlot();
        if (!connection.Announced)
        {
            return;
        }

        NetworkLog.ConnectionClosed(_logger, connection.Id, connection.RemotePeerId, reason?.Message ?? "closed");
        try
        {
            ConnectionClosed?.Invoke(connection, reason);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_logger, nameof(ConnectionClosed), e);
        }
    }

    private async Task HandleStreamAsync(NetworkConnection connection, IMuxedStream stream, Action negotiated)
    {
        string? protocol = null;
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                timeout.CancelAfter(_options.StreamNegotiationTimeout);
                try
                {
                    protocol = await MultistreamListener.NegotiateAsync(stream, _handlers.ContainsKey, null, timeout.Token);
                }
                finally
                {
                    negotiated();
                }
            }

            if (!_handlers.TryGetValue(protocol, out var handler))
            {
                stream.Reset();
                return;
            }

            await handler(new IncomingStream(connection, stream, protocol), _stopping.Token);
        }
        catch (Exception e)
        {
            // A failing stream concerns only that stream: reset it and keep the connection.
            NetworkLog.StreamFailed(_logger, connection.Id, connection.RemotePeerId, protocol ?? "(negotiating)", e.Message);
            stream.Reset();
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}
