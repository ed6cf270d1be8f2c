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
        // Discovery makes a full mesh: 5 nodes x 20 direct messages, plus 3 broadcasts each from 5 nodes to 4 peers.
        Assert.Matches(@"^devnet: 5 nodes, 160/160 messages delivered \(100%\), discovery \d+\.\d s, total \d+\.\d s$", lines[^2]);
        var table = lines.SkipWhile(l => !l.StartsWith("node ", StringComparison.Ordinal)).Skip(1).Take(5).ToList();
        Assert.Equal(5, table.Count);
        Assert.All(table, row => Assert.Matches(@"^\d\s+12D3…\w{6}\s+4\s+.*\d+\.\d{3} ms$", row));
        Assert.Empty(error.Text);
    }

    [Fact]
    public async Task Devnet_of_eight_nodes_that_know_only_the_bootstrap_ends_in_a_full_mesh()
    {
        var output = new LineWriter();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["devnet", "--nodes", "8", "--messages", "10"], output, error);

        Assert.True(exit == 0, output.Text + error.Text);
        var lines = output.Lines;
        Assert.Contains(lines, l => l.Contains("target 7 peers each", StringComparison.Ordinal));
        // 8 nodes x 10 direct messages, plus 3 broadcasts each from 8 nodes to 7 peers.
        Assert.Matches(@"^devnet: 8 nodes, 248/248 messages delivered \(100%\), discovery \d+\.\d s, total \d+\.\d s$", lines[^2]);
        var table = lines.SkipWhile(l => !l.StartsWith("node ", StringComparison.Ordinal)).Skip(1).Take(8).ToList();
        Assert.Equal(8, table.Count);
        Assert.All(table, row => Assert.Matches(@"^\d\s+12D3…\w{6}\s+7\s+", row));
        Assert.Empty(error.Text);
    }
}
