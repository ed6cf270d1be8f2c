using System.Globalization;
using Quids.Cli.Commands;

namespace Quids.Cli.Devnet;

/// <summary>What a devnet run found: per-node lines, the delivery tally, timings and any problem seen.</summary>
internal sealed record DevnetReport(
    string Bootstrap,
    IReadOnlyList<NodeReport> Nodes,
    DeliveryResult Delivery,
    TimeSpan Discovery,
    TimeSpan Total,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Warnings)
{
    public bool Ok => Delivery.Complete && Problems.Count == 0;

    public string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"devnet: {Nodes.Count} nodes, {Delivery.Delivered}/{Delivery.Expected} messages delivered ({Delivery.Percent:0.#}%), discovery {CliOptions.Seconds(Discovery)} s, total {CliOptions.Seconds(Total)} s");

    /// <summary>Why the run failed and what else went wrong, as lines; empty when all went well.</summary>
    public IEnumerable<string> Failures()
    {
        foreach (var warning in Warnings)
        {
            yield return "devnet: " + warning;
        }

        var d = Delivery;
        if (d.Missing + d.Duplicated + d.Unexpected + d.SendFailures > 0)
        {
            yield return $"devnet: {d.Missing} missing, {d.Duplicated} duplicated, {d.Unexpected} unexpected, {d.SendFailures} send failures";
        }

        if (d.Expected == 0)
        {
            yield return "devnet: no message could be sent (no connections)";
        }

        foreach (var problem in Problems)
        {
            yield return "devnet: " + problem;
        }
    }
}
