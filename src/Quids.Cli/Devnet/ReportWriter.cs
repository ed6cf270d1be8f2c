using System.Globalization;
using Quids.Cli.Commands;
using Spectre.Console;

namespace Quids.Cli.Devnet;

/// <summary>Prints the devnet's table and verdict: a Spectre table on a terminal, aligned plain text otherwise.</summary>
internal static class ReportWriter
{
    private static readonly string[] s_headers = ["node", "peer id", "peers", "msgs in", "msgs out", "bytes in", "bytes out", "rtt avg"];

    public static void Write(CliConsole console, DevnetReport report)
    {
        var rows = report.Nodes.Select(Cells).ToList();
        console.Line($"devnet: bootstrap {report.Bootstrap}");
        if (console.Interactive)
        {
            // The simple border and one space of padding keep the table within an 80-column terminal.
            var table = new Table().SimpleBorder();
            foreach (var (header, column) in s_headers.Select((h, i) => (h, i)))
            {
                table.AddColumn(new TableColumn(header) { Alignment = column == 1 ? Justify.Left : Justify.Right, NoWrap = true, Padding = new Padding(0, 0, 1, 0) });
            }

            foreach (var row in rows)
            {
                table.AddRow([.. row.Select(Markup.Escape)]);
            }

            console.Ansi.Write(table);
        }
        else
        {
            var widths = s_headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            console.Line(Format(s_headers, widths));
            foreach (var row in rows)
            {
                console.Line(Format(row, widths));
            }
        }

        foreach (var line in report.Failures())
        {
            console.Line(line);
        }

        console.Line(report.Summary);
        if (console.Interactive)
        {
            console.Ansi.MarkupLine(report.Ok ? "[green]OK[/]" : "[red]FAILED[/]");
        }
        else
        {
            console.Line(report.Ok ? "OK" : "FAILED");
        }
    }

    private static string[] Cells(NodeReport node) =>
    [
        node.Index.ToString(CultureInfo.InvariantCulture),
        node.ShortPeerId,
        node.Peers.ToString(CultureInfo.InvariantCulture),
        node.MessagesIn.ToString("N0", CultureInfo.InvariantCulture),
        node.MessagesOut.ToString("N0", CultureInfo.InvariantCulture),
        Bytes(node.BytesIn),
        Bytes(node.BytesOut),
        node.AverageRtt is { } rtt ? CliOptions.Milliseconds(rtt) + " ms" : "-",
    ];

    private static string Bytes(long bytes) => bytes switch
    {
        < 10 * 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 10 * 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    /// <summary>First two columns (index, id) left-aligned, numbers right-aligned, two spaces between.</summary>
    private static string Format(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == 1 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
}
