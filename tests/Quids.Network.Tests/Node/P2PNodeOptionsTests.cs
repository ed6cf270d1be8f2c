namespace Quids.Network.Tests.Node;

public class P2PNodeOptionsTests
{
    [Fact]
    public void Defaults_are_the_seed_config()
    {
        var options = new P2PNodeOptions();

        Assert.Equal(8080, options.Port);
        Assert.Equal(100, options.MaxConnections);
        Assert.Equal(1024 * 1024, options.BufferSize);
        Assert.Equal("0.0.0.0", options.BindAddress);
        Assert.Equal(TimeSpan.FromMilliseconds(30000), options.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(60000), options.ConnectionTimeout);
    }

    [Theory]
    [InlineData("port", "Port")]
    [InlineData("bind", "BindAddress")]
    [InlineData("max", "MaxConnections")]
    [InlineData("buffer", "BufferSize")]
    [InlineData("timeout", "ConnectionTimeout")]
    public async Task Start_rejects_an_invalid_option_by_name(string which, string named)
    {
        var options = new P2PNodeOptions { Port = 0 };
        switch (which)
        {
            case "port": options.Port = 70000; break;
            case "bind": options.BindAddress = "not-an-ip"; break;
            case "max": options.MaxConnections = 0; break;
            case "buffer": options.BufferSize = 0; break;
            default: options.ConnectionTimeout = TimeSpan.FromSeconds(1); break;
        }

        await using var node = new P2PNode(options);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => node.StartAsync());
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_cannot_be_used_before_start_and_says_so()
    {
        await using var node = new P2PNode(new P2PNodeOptions { Port = 0 });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => node.BroadcastMessageAsync(new byte[1]));
        Assert.Contains("StartAsync", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_identity_key_file_gives_the_same_peer_id_across_restarts()
    {
        string dir = Directory.CreateTempSubdirectory("quids-node-").FullName;
        try
        {
            string key = Path.Combine(dir, "node.key");
            PeerIdHolder first;
            await using (var a = new P2PNode(new P2PNodeOptions { Port = 0, IdentityKeyFile = key }))
            {
                first = new PeerIdHolder(a.PeerId.ToString());
            }

            await using var b = new P2PNode(new P2PNodeOptions { Port = 0, IdentityKeyFile = key });
            Assert.Equal(first.Text, b.PeerId.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed record PeerIdHolder(string Text);
}
