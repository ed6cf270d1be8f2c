using System.Text.RegularExpressions;

namespace Quids.Cli.Tests;

/// <summary>A <c>quids node --port 0</c> run in the background, as a user would start one in another terminal.</summary>
internal sealed partial class RunningNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private RunningNode(string[] args)
    {
        Exit = Program.RunAsync(args, Out, Err, cancellationToken: _stop.Token);
    }

    public LineWriter Out { get; } = new();

    public LineWriter Err { get; } = new();

    public Task<int> Exit { get; }

    /// <summary>The node's IPv4 loopback address, <c>/ip4/127.0.0.1/tcp/&lt;port&gt;/p2p/&lt;id&gt;</c>.</summary>
    public string Address { get; private set; } = string.Empty;

    public int Port { get; private set; }

    public string PeerId { get; private set; } = string.Empty;

    public static async Task<RunningNode> StartAsync(params string[] extra)
    {
        var node = new RunningNode(["node", "--port", "0", "--bind", "127.0.0.1", .. extra]);
        var line = await node.Out.WaitForLineAsync(l => ListeningLine().IsMatch(l), "'listening /ip4/127.0.0.1/…'");
        var match = ListeningLine().Match(line);
        node.Address = match.Groups["address"].Value;
        node.Port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        node.PeerId = match.Groups["id"].Value;
        return node;
    }

    /// <summary>Stops the node as Ctrl+C would and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Exit.WaitAsync(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exit.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    [GeneratedRegex(@"^listening (?<address>/ip4/127\.0\.0\.1/tcp/(?<port>\d+)/p2p/(?<id>12D3KooW[1-9A-HJ-NP-Za-km-z]+))$")]
    private static partial Regex ListeningLine();
}
