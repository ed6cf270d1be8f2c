using Quids.Network.Multistream;
using Quids.Network.Tests.Node;

namespace Quids.Network.Tests.PerfHarness;

public class NodePerfTests
{
    [Fact]
    public async Task PerfAsync_moves_the_requested_bytes_each_way_to_a_node_with_the_perf_server()
    {
        await using var server = await NodeTests.StartAsync(o => o.EnablePerfServer = true);
        await using var client = await NodeTests.StartAsync();
        await client.ConnectToPeerAsync("127.0.0.1", server.Port());

        var result = await client.PerfAsync(server.PeerId, 300_000, 200_000).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(300_000, result.UploadBytes);
        Assert.Equal(200_000, result.DownloadBytes);
        Assert.True(result.TotalTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task PerfAsync_fails_with_a_negotiation_error_when_the_peer_does_not_serve_perf()
    {
        await using var server = await NodeTests.StartAsync();
        await using var client = await NodeTests.StartAsync();
        await client.ConnectToPeerAsync("127.0.0.1", server.Port());

        await Assert.ThrowsAsync<ProtocolNegotiationException>(() => client.PerfAsync(server.PeerId, 10, 10).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task PerfAsync_to_a_peer_that_is_not_connected_throws_PeerNotConnectedException()
    {
        await using var server = await NodeTests.StartAsync(o => o.EnablePerfServer = true);
        await using var client = await NodeTests.StartAsync();

        await Assert.ThrowsAsync<PeerNotConnectedException>(() => client.PerfAsync(server.PeerId, 10, 10));
    }
}
