namespace Quids.Cli.Tests;

public sealed class ArgumentErrorTests
{
    [Theory]
    [InlineData(new string[0], "Usage:")]
    [InlineData(new[] { "send" }, "Usage:")]
    [InlineData(new[] { "send", "127.0.0.1:4001" }, "Usage:")]
    [InlineData(new[] { "ping", "not-an-address" }, "neither a multiaddress")]
    [InlineData(new[] { "ping", "127.0.0.1:70000" }, "port must be a number from 1 to 65535")]
    [InlineData(new[] { "ping", "/ip4/127.0.0.1/udp/4001" }, "not a TCP address")]
    [InlineData(new[] { "devnet", "--nodes", "1" }, "--nodes must be from 2 to")]
    [InlineData(new[] { "node", "--port", "65536" }, "--port must be from 0 to 65535")]
    [InlineData(new[] { "node", "--bind", "localhost" }, "--bind must be an IPv4 or IPv6 address")]
    [InlineData(new[] { "node", "--bootstrap", "nowhere" }, "neither a multiaddress")]
    [InlineData(new[] { "frobnicate" }, "Usage:")]
    public async Task Bad_arguments_print_the_error_and_usage_to_stderr_and_exit_2(string[] args, string expected)
    {
        var output = new LineWriter();
        var error = new LineWriter();

        int exit = await Program.RunAsync(args, output, error);

        Assert.Equal(Program.UsageError, exit);
        Assert.Empty(output.Text);
        Assert.Contains(expected, error.Text, StringComparison.Ordinal);
        Assert.Contains("Usage:", error.Text, StringComparison.Ordinal);
    }
}
