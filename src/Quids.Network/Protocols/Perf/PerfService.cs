using Quids.Network.Network;

namespace Quids.Network.Protocols.Perf;

/// <summary><c>/perf/1.0.0</c> on a node: the server when enabled, and the client.</summary>
internal sealed class PerfService
{
    private readonly TimeProvider _time;

    public PerfService(Swarm swarm, PerfOptions options)
    {
        _time = swarm.Options.TimeProvider;
        if (options.ServerEnabled)
        {
            swarm.SetStreamHandler(PerfProtocol.Id, (incoming, ct) => PerfProtocol.ServeAsync(incoming.Stream, options.MaxDownloadBytes, ct));
        }
    }

    /// <summary>Uploads and downloads the given amounts on a new stream and reports the timings.</summary>
    public async Task<PerfResult> RunAsync(NetworkConnection connection, long uploadBytes, long downloadBytes, CancellationToken cancellationToken = default)
    {
        var stream = await connection.OpenStreamAsync(PerfProtocol.Id, TimeSpan.FromSeconds(10), cancellationToken);
        await using (stream)
        {
            return await PerfProtocol.RunClientAsync(stream, uploadBytes, downloadBytes, _time, cancellationToken);
        }
    }
}
