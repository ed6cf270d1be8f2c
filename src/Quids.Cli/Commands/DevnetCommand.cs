using System.CommandLine;
using Quids.Cli.Devnet;
using Spectre.Console;

namespace Quids.Cli.Commands;

/// <summary>
/// <c>quids devnet</c>: the newcomer's first run. A local network in one process, real TCP on 127.0.0.1,
/// checked message by message; exits 0 only if every message arrived exactly once.
/// </summary>
internal static class DevnetCommand
{
    public static Command Create(CliConsole console)
    {
        var nodes = CliOptions.Int("--nodes", "Nodes to start; node 0 is the bootstrap.", 10, 2, 1000);
        var messages = CliOptions.Int("--messages", "Direct messages each node sends, spread over its peers.", 100, 0, 1_000_000);
        var broadcasts = CliOptions.Int("--broadcasts", "Broadcasts each node makes to all its peers.", 3, 0, 10_000);
        var targetPeers = CliOptions.Int("--target-peers", "Peers each node's discovery connects to; 0 means min(nodes - 1, 16), a full mesh up to 17 nodes.", 0, 0, 1000);
        var command = new Command("devnet", "Run a local network of nodes on 127.0.0.1, exchange messages, and check every one arrived.")
        {
            nodes, messages, broadcasts, targetPeers,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            console,
            new DevnetSettings
            {
                Nodes = result.GetValue(nodes),
                Messages = result.GetValue(messages),
                Broadcasts = result.GetValue(broadcasts),
                TargetPeers = result.GetValue(targetPeers),
            },
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, DevnetSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Messages == 0 && settings.Broadcasts == 0)
        {
            return console.Fail("devnet", "nothing to check: --messages and --broadcasts are both 0.");
        }

        var runner = new DevnetRunner(settings);
        DevnetReport report;
        try
        {
            if (console.Interactive)
            {
                report = await console.Ansi.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(ctx => runner.RunAsync(new SpectreProgress(ctx), cancellationToken));
            }
            else
            {
                console.Line($"devnet: {settings.Nodes} nodes, target {settings.EffectiveTargetPeers} peers each, {settings.Messages} direct messages and {settings.Broadcasts} broadcasts per node");
                report = await runner.RunAsync(new PlainProgress(console), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return console.Fail("devnet", "cancelled; the nodes were stopped.");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return console.Fail("devnet", CliConsole.Describe(e));
        }

        ReportWriter.Write(console, report);
        return report.Ok ? 0 : Program.Failure;
    }
}
