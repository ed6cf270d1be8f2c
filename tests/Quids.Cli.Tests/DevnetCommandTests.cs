using System.Text.RegularExpressions;

namespace Quids.Cli.Tests;

public sealed class DevnetCommandTests
{
    [Fact]
    public async Task Devnet_of_five_nodes_delivers_every_message_and_exits_zero()
    {
        var output = new LineWriter();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["devnet", "--nodes", "5", "--messages", "20"], output, error);

        Assert.True(exit == 0, output.Text + error.Text);
        var lines = output.Lines;
        Assert.Equal("OK", lines[^1]);
        // 5 nodes x 20 direct messages, plus 3 broadcasts each from node 0 (to 4 peers) and nodes 1-4 (to node 0).
        Assert.Matches(@"^devnet: 5 nodes, 124/124 messages delivered \(100%\), discovery \d+\.\d s, total \d+\.\d s$", lines[^2]);
        var table = lines.SkipWhile(l => !l.StartsWith("node ", StringComparison.Ordinal)).Skip(1).Take(5).ToList();
        Assert.Equal(5, table.Count);
        Assert.Matches(@"^0\s+12D3…\w{6}\s+4\s+", table[0]);
        Assert.All(table.Skip(1), row => Assert.Matches(@"^\d\s+12D3…\w{6}\s+1\s+.*\d+\.\d{3} ms$", row));
        Assert.Empty(error.Text);
    }
}
