using Quids.Network.Diagnostics;
using Quids.Network.Multistream;
using Quids.Network.Muxing;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Security.Noise;

namespace Quids.Network.Network;

internal sealed partial class Swarm
{
    /// <summary>Accepts the connection's inbound streams until it ends, then unregisters it.</summary>
    private async Task RunConnectionAsync(NetworkConnection connection)
    {
        int negotiating = 0;

        // Refusals since the last stream that negotiated: a peer that keeps opening streams it never negotiates
        // would otherwise cost us a reset frame and a log line per 12-byte SYN, without end.
        int refusedInARow = 0;
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
                    stream.Reset();
                    await stream.DisposeAsync();
                    int refused = Interlocked.Increment(ref refusedInARow);
                    if (refused > _options.MaxNegotiatingStreamsPerConnection)
                    {
                        NetworkLog.StreamFlood(_logger, connection.Id, connection.RemotePeerId, refused, _options.MaxNegotiatingStreamsPerConnection);
                        connection.Abort(new ConnectionLimitException(
                            $"Connection #{connection.Id} to {connection.RemotePeerId} closed: stream flood, {refused} streams refused in a row while {_options.MaxNegotiatingStreamsPerConnection} were negotiating."));
                        continue;
                    }

                    NetworkLog.StreamRejected(_logger, connection.Id, connection.RemotePeerId, _options.MaxNegotiatingStreamsPerConnection);
                    continue;
                }

                _ = HandleStreamAsync(connection, stream, success =>
                {
                    Interlocked.Decrement(ref negotiating);
                    if (success)
                    {
                        Volatile.Write(ref refusedInARow, 0);
                    }
                });
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

        if (reason is YamuxProtocolException or NoiseException)
        {
            // The peer broke the protocol (or says we did): an operator needs to see that, not only a debug line.
            NetworkLog.ConnectionFailed(_logger, connection.Id, connection.RemotePeerId, reason.Message);
        }
        else
        {
            NetworkLog.ConnectionClosed(_logger, connection.Id, connection.RemotePeerId, reason?.Message ?? "closed");
        }
        try
        {
            ConnectionClosed?.Invoke(connection, reason);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_logger, nameof(ConnectionClosed), e);
        }
    }

    private async Task HandleStreamAsync(NetworkConnection connection, IMuxedStream stream, Action<bool> negotiated)
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
                    negotiated(protocol is not null);
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
