using System.Text.RegularExpressions;

namespace Quids.Network.Tests.Architecture;

/// <summary>
/// A layer is a folder and a namespace, and dependencies point down only. Diagnostics (log message classes)
/// is cross-cutting. Checked on the source: every <c>using</c> and qualified name of another layer, and every
/// use of a top-level (root namespace) type from below.
/// </summary>
public partial class LayeringTests
{
    private static readonly string[] s_layers = ["Core", "Transport", "Multistream", "Security", "Muxing", "Network", "Protocols"];

    [Fact]
    public void Every_layer_depends_only_on_layers_below_it()
    {
        string root = FindSourceRoot();
        var rootTypes = typeof(P2PNode).Assembly.GetTypes()
            .Where(t => t.Namespace == "Quids.Network" && t.IsPublic)
            .Select(t => t.Name.Split('`')[0])
            .ToHashSet();
        var violations = new List<string>();
        foreach (string file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            string folder = relative.Contains(Path.DirectorySeparatorChar) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)] : "";
            if (folder == "Diagnostics")
            {
                continue;
            }

            int level = folder == "" ? s_layers.Length : Array.IndexOf(s_layers, folder);
            Assert.True(level >= 0, $"{relative} is in folder '{folder}', which is not a known layer.");
            string code = StripComments(File.ReadAllText(file));
            foreach (Match m in LayerReference().Matches(code))
            {
                int used = Array.IndexOf(s_layers, m.Groups[1].Value);
                if (used > level)
                {
                    violations.Add($"{relative} ({folder}) uses {m.Value} (a higher layer)");
                }
            }

            if (level < s_layers.Length)
            {
                foreach (Match m in Identifier().Matches(code))
                {
                    if (rootTypes.Contains(m.Value))
                    {
                        violations.Add($"{relative} ({folder}) uses the top-level type {m.Value}");
                    }
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations.Distinct()));
    }

    private static string StripComments(string code) =>
        StringLiteral().Replace(string.Join('\n', code.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal))), "\"\"");

    private static string FindSourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Quids.Network");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/Quids.Network not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"Quids\.Network\.(Core|Transport|Multistream|Security|Muxing|Network|Protocols)\b")]
    private static partial Regex LayerReference();

    [GeneratedRegex(@"(?<![\w.""])[A-Z]\w*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();
}
