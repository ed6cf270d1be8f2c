using System.Diagnostics;
using System.Globalization;

namespace Quids.Network.Harness;

/// <summary>Percentiles, resident memory and number formatting shared by the tests.</summary>
internal static class Measure
{
    public static string F(double value, int decimals = 1) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Round-trip samples in <see cref="Stopwatch"/> ticks as <c>median_us p99_us p999_us mean_us samples</c>.</summary>
    public static string Latency(List<long> ticks)
    {
        ticks.Sort();
        double Us(double t) => t * 1e6 / Stopwatch.Frequency;
        double Pct(double p) => ticks.Count == 0 ? double.NaN : Us(ticks[Math.Min(ticks.Count - 1, (int)(p * ticks.Count))]);
        double mean = ticks.Count == 0 ? double.NaN : Us(ticks.Average());
        return $"median_us={F(Pct(0.5))} p99_us={F(Pct(0.99))} p999_us={F(Pct(0.999))} mean_us={F(mean)} samples={ticks.Count}";
    }

    /// <summary>VmRSS of this process in KiB after a full blocking compacting GC, so garbage does not count.</summary>
    public static long ResidentKib()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}
