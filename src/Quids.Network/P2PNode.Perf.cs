using Quids.Network.Core;
using Quids.Network.Protocols.Perf;

namespace Quids.Network;

public sealed partial class P2PNode
{
    private PerfService? _perf;

    /// <summary>
    /// Measures bulk throughput to a connected peer with <c>/perf/1.0.0</c>: uploads <paramref name="uploadBytes"/>
    /// and then downloads <paramref name="downloadBytes"/> on one new stream. The peer must have
    /// <see cref="P2PNodeOptions.EnablePerfServer"/> (or be a libp2p node with perf enabled).
    /// </summary>
    /// <exception cref="PeerNotConnectedException">The peer is not connected.</exception>
    /// <exception cref="Multistream.ProtocolNegotiationException">The peer does not serve <c>/perf/1.0.0</c>.</exception>
    /// <exception cref="IOException">The peer sent back a different number of bytes than asked for.</exception>
    public async Task<PerfResult> PerfAsync(PeerId peer, long uploadBytes, long downloadBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        RunningSwarm();
        var connection = FindConnection(peer) ?? throw new PeerNotConnectedException($"Peer {peer} is not connected.");
        return await _perf!.RunAsync(connection.Network!, uploadBytes, downloadBytes, cancellationToken);
    }
}
