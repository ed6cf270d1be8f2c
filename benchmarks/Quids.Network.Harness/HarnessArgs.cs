using System.Globalization;

namespace Quids.Network.Harness;

/// <summary>The command line: a mode, then <c>--name value</c> pairs.</summary>
internal sealed class HarnessArgs
{
    public string Mode { get; private init; } = "";

    public int Port { get; private init; }

    public string? SwarmAddress { get; private init; }

    public string? NodeAddress { get; private init; }

    public string Test { get; private init; } = "";

    /// <summary>The server's plain TCP port for the <c>aead-floor</c> test (its <c>LISTENING floor</c> line).</summary>
    public int FloorPort { get; private init; }

    public double Seconds { get; private init; } = 5;

    /// <summary>Idle connections for the memory test: 5000 by default, as the target is stated for 5000.</summary>
    public int Connections { get; private init; } = 5000;

    /// <summary>Concurrent dialers for the connection-setup test: 2 per core of this 2-core machine.</summary>
    public int Workers { get; private init; } = 4;

    public static HarnessArgs Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
        return new HarnessArgs
        {
            Mode = args.Length > 0 ? args[0] : "",
            Port = int.Parse(Get("--port", "0"), CultureInfo.InvariantCulture),
            SwarmAddress = values.GetValueOrDefault("--swarm"),
            NodeAddress = values.GetValueOrDefault("--node"),
            Test = Get("--test", ""),
            FloorPort = int.Parse(Get("--floor", "0"), CultureInfo.InvariantCulture),
            Seconds = double.Parse(Get("--seconds", "5"), CultureInfo.InvariantCulture),
            Connections = int.Parse(Get("--conns", "5000"), CultureInfo.InvariantCulture),
            Workers = int.Parse(Get("--workers", "4"), CultureInfo.InvariantCulture),
        };
    }
}
