using System.CommandLine;
using System.Globalization;
using Quids.Network.Core;
using Quids.Network.Protocols.Perf;

namespace Quids.Cli.Commands;

/// <summary>
/// <c>quids perf</c>: measures bulk throughput to a peer with <c>/perf/1.0.0</c> (the peer runs
/// <c>quids node --perf</c>, or is any libp2p node serving perf), printing MB/s each way (1 MB = 10^6 bytes).
/// </summary>
internal static class PerfCommand
{
    /// <summary>Longest perf exchange: generous, since a slow link moving gigabytes takes minutes.</summary>
    private static readonly TimeSpan ExchangeTimeout = TimeSpan.FromMinutes(10);

    public static Command Create(CliConsole console)
    {
        var target = CliOptions.Target();
        var upload = Bytes("--upload", "Bytes to upload to the peer.");
        var download = Bytes("--download", "Bytes to download from the peer.");
        var command = new Command("perf", "Measure upload and download throughput to a peer (/perf/1.0.0).") { target, upload, download };
        command.SetAction((result, cancellationToken) =>
            RunAsync(console, result.GetValue(target)!, result.GetValue(upload), result.GetValue(download), cancellationToken));
        return command;
    }

    private static Option<long> Bytes(string name, string description)
    {
        // 100 MB each way by default: long enough to dwarf the connection setup on a fast link.
        var option = new Option<long>(name) { Description = description + " Defaults to 100000000.", DefaultValueFactory = _ => 100_000_000 };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0)
            {
                r.AddError($"{name} must be 0 or more, not {r.GetValueOrDefault<long>()}.");
            }
        });
        return option;
    }

    private static async Task<int> RunAsync(CliConsole console, Multiaddress target, long upload, long download, CancellationToken cancellationToken)
    {
        var (client, peer, exitCode) = await ClientNode.ConnectAsync(console, "perf", target, cancellationToken);
        if (client is null)
        {
            return exitCode;
        }

        await using (client)
        {
            PerfResult result;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(ExchangeTimeout);
                try
                {
                    result = await client.Node.PerfAsync(peer!, upload, download, deadline.Token);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return client.Fail("interrupted.");
                }
                catch (Exception e)
                {
                    return client.Fail($"perf with {peer} failed: {CliConsole.Describe(e)}");
                }
            }

            console.Line($"upload {upload} bytes in {Seconds(result.UploadTime)} s: {MegabytesPerSecond(upload, result.UploadTime)} MB/s");
            console.Line($"download {download} bytes in {Seconds(result.DownloadTime)} s: {MegabytesPerSecond(download, result.DownloadTime)} MB/s");
        }

        return 0;
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string MegabytesPerSecond(long bytes, TimeSpan time) =>
        time <= TimeSpan.Zero ? "-" : (bytes / 1e6 / time.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture);
}
