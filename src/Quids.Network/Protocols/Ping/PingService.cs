using Quids.Network.Diagnostics;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Ping;

/// <summary>
/// <c>/ipfs/ping/1.0.0</c> on a node: answers the pings of every peer and measures round trips to them.
/// </summary>
internal sealed class PingService
{
    private readonly Swarm _swarm;
    private readonly TimeProvider _time;

    public PingService(Swarm swarm)
    {
        _swarm = swarm;
        _time = swarm.Options.TimeProvider;
        swarm.SetStreamHandler(PingProtocol.Id, RespondAsync);
    }

    /// <summary>Sends one ping on a new stream and returns the round-trip time.</summary>
    /// <exception cref="PingException">The peer answered wrongly, closed the stream, or not in time.</exception>
    public async Task<TimeSpan> PingAsync(NetworkConnection connection, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? PingProtocol.DefaultTimeout;
        var stream = await connection.OpenStreamAsync(PingProtocol.Id, limit, cancellationToken);
        await using (stream)
        {
            try
            {
                var rtt = await PingProtocol.PingAsync(stream, _time, limit, cancellationToken);
                await stream.CloseWriteAsync();
                return rtt;
            }
            catch
            {
                stream.Reset();
                throw;
            }
        }
    }

    private async Task RespondAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        int answered = await PingProtocol.RespondAsync(incoming.Stream, _time, cancellationToken);
        ProtocolLog.PingsAnswered(_swarm.Logger, incoming.Connection.RemotePeerId, answered);
    }
}
