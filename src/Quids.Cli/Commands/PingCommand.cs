using System.CommandLine;
using Quids.Network.Core;

namespace Quids.Cli.Commands;

/// <summary><c>quids ping</c>: measures round-trip times with <c>/ipfs/ping/1.0.0</c>, as ping(8).</summary>
internal static class PingCommand
{
    public static Command Create(CliConsole console)
    {
        var target = CliOptions.Target();
        var count = CliOptions.Int("--count", "Number of pings.", 4, 1, 1_000_000);
        var interval = CliOptions.Int("--interval", "Milliseconds between pings.", 1000, 0, 3_600_000);
        var command = new Command("ping", "Measure the round-trip time to a peer.") { target, count, interval };
        command.SetAction((result, cancellationToken) =>
            RunAsync(console, result.GetValue(target)!, result.GetValue(count), TimeSpan.FromMilliseconds(result.GetValue(interval)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, Multiaddress target, int count, TimeSpan interval, CancellationToken cancellationToken)
    {
        var (client, peer, exitCode) = await ClientNode.ConnectAsync(console, "ping", target, cancellationToken);
        if (client is null)
        {
            return exitCode;
        }

        var times = new List<TimeSpan>(count);
        await using (client)
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        await Task.Delay(interval, cancellationToken);
                    }

                    var rtt = await client.StepAsync(ct => client.Node.PingAsync(peer!, ct), cancellationToken);
                    times.Add(rtt);
                    console.Line($"ping {peer}: time={CliOptions.Milliseconds(rtt)} ms");
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C ends the series; the summary covers the pings made so far.
            }
            catch (Exception e)
            {
                Summarize(console, peer!, times, count);
                return client.Fail($"ping {times.Count + 1} to {peer} failed: {CliConsole.Describe(e)}");
            }
        }

        Summarize(console, peer!, times, count);
        return times.Count > 0 ? 0 : Program.Failure;
    }

    private static void Summarize(CliConsole console, PeerId peer, List<TimeSpan> times, int count)
    {
        console.Line($"--- {peer} ping statistics ---");
        var summary = $"{times.Count} of {count} pings answered";
        if (times.Count > 0)
        {
            var average = TimeSpan.FromTicks((long)times.Average(t => t.Ticks));
            summary += $", rtt min/avg/max = {CliOptions.Milliseconds(times.Min())}/{CliOptions.Milliseconds(average)}/{CliOptions.Milliseconds(times.Max())} ms";
        }

        console.Line(summary);
    }
}
