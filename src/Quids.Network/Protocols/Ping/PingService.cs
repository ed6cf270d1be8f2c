using System.Runtime.CompilerServices;
using Quids.Network.Diagnostics;
using Quids.Network.Muxing;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Ping;

/// <summary>
/// <c>/ipfs/ping/1.0.0</c> on a node: answers the pings of every peer and measures round trips to them.
/// Pings to one connection share one stream, as the spec allows and go-libp2p does, so a ping costs one
/// round trip instead of a stream opening and a protocol negotiation as well.
/// </summary>
internal sealed class PingService
{
    private readonly Swarm _swarm;
    private readonly TimeProvider _time;
    private readonly ConditionalWeakTable<NetworkConnection, PingChannel> _channels = new();

    public PingService(Swarm swarm)
    {
        _swarm = swarm;
        _time = swarm.Options.TimeProvider;
        swarm.SetStreamHandler(PingProtocol.Id, RespondAsync);
    }

    /// <summary>Sends one ping on the connection's ping stream (opened on first use) and returns the round-trip time.</summary>
    /// <exception cref="PingException">The peer answered wrongly, closed the stream, or not in time.</exception>
    public async Task<TimeSpan> PingAsync(NetworkConnection connection, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? PingProtocol.DefaultTimeout;
        var channel = _channels.GetValue(connection, static _ => new PingChannel());
        await channel.Gate.WaitAsync(cancellationToken);
        try
        {
            if (channel.Stream is { } reused)
            {
                try
                {
                    return await PingProtocol.PingAsync(reused, _time, limit, cancellationToken);
                }
                catch (Exception e) when (e is PingException { Reason: PingFailure.StreamClosed } or StreamResetException)
                {
                    // The peer ended the idle stream (go closes it after 60 s): ping again on a fresh one.
                    await channel.DropAsync();
                }
                catch
                {
                    await channel.DropAsync();
                    throw;
                }
            }

            channel.Stream = await connection.OpenStreamAsync(PingProtocol.Id, limit, cancellationToken);
            try
            {
                return await PingProtocol.PingAsync(channel.Stream, _time, limit, cancellationToken);
            }
            catch
            {
                await channel.DropAsync();
                throw;
            }
        }
        finally
        {
            channel.Gate.Release();
        }
    }

    private async Task RespondAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        int answered = await PingProtocol.RespondAsync(incoming.Stream, _time, cancellationToken);
        ProtocolLog.PingsAnswered(_swarm.Logger, incoming.Connection.RemotePeerId, answered);
    }

    /// <summary>One connection's ping stream; the gate keeps one ping at a time on it.</summary>
    private sealed class PingChannel
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public IMuxedStream? Stream { get; set; }

        public async Task DropAsync()
        {
            if (Stream is { } stream)
            {
                Stream = null;
                stream.Reset();
                await stream.DisposeAsync();
            }
        }
    }
}
