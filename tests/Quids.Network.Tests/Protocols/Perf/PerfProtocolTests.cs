using System.Buffers;
using System.IO.Pipelines;
using Quids.Network.Transport;
using Quids.Network.Protocols.Perf;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Protocols.Perf;

public class PerfProtocolTests
{
    [Fact]
    public async Task The_client_sends_the_big_endian_download_size_then_its_upload()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var client = new DuplexPipe(toClient.Reader, toServer.Writer);
        await toClient.Writer.CompleteAsync();

        await PerfProtocol.RunClientAsync(client, uploadBytes: 3, downloadBytes: 0, TimeProvider.System);

        var sent = await toServer.Reader.ReadAsync();
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, sent.Buffer.ToArray());
        Assert.True(sent.IsCompleted);
    }

    [Fact]
    public async Task The_server_reads_a_request_split_across_reads()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = PerfProtocol.ServeAsync(new DuplexPipe(toServer.Reader, toClient.Writer), 100);

        await toServer.Writer.WriteAsync(new byte[] { 0, 0, 0, 0, 0 });
        await Task.Delay(20);
        await toServer.Writer.WriteAsync(new byte[] { 0, 0, 7, 1, 2 });
        await toServer.Writer.CompleteAsync();
        await server;

        var reply = await toClient.Reader.ReadAsync();
        while (!reply.IsCompleted)
        {
            toClient.Reader.AdvanceTo(reply.Buffer.Start, reply.Buffer.End);
            reply = await toClient.Reader.ReadAsync();
        }

        Assert.Equal(7, reply.Buffer.Length);
    }

    [Fact]
    public async Task Upload_and_download_between_two_nodes_move_the_requested_bytes()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        _ = new PerfService(b.Swarm, new PerfOptions { ServerEnabled = true });
        var client = new PerfService(a.Swarm, new PerfOptions());
        var connection = await a.DialAsync(b);

        var result = await client.RunAsync(connection, uploadBytes: 3 << 20, downloadBytes: 5 << 20);

        Assert.Equal(3 << 20, result.UploadBytes);
        Assert.Equal(5 << 20, result.DownloadBytes);
        Assert.True(result.TotalTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_node_does_not_serve_perf_unless_enabled()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        _ = new PerfService(b.Swarm, new PerfOptions());
        var connection = await a.DialAsync(b);

        await Assert.ThrowsAsync<Quids.Network.Multistream.ProtocolNegotiationException>(
            () => new PerfService(a.Swarm, new PerfOptions()).RunAsync(connection, 0, 1));
    }

    [Fact]
    public async Task The_server_refuses_more_than_its_download_limit()
    {
        await using var a = await TestNode.StartAsync();
        await using var b = await TestNode.StartAsync();
        _ = new PerfService(b.Swarm, new PerfOptions { ServerEnabled = true, MaxDownloadBytes = 1000 });
        var connection = await a.DialAsync(b);

        await Assert.ThrowsAnyAsync<Exception>(() => new PerfService(a.Swarm, new PerfOptions()).RunAsync(connection, 0, 1001));
        await b.Logs.WaitForAsync("at most 1000");
    }
}
