using System.Diagnostics;
using System.Runtime;

namespace Quids.Network.Harness;

/// <summary>
/// Decides when a client's untimed warm-up is over: after at least <see cref="Minimum"/>, once the JIT has compiled
/// no new method for <see cref="Quiet"/> (the hot paths have reached their final tier), or after
/// <see cref="Maximum"/> at the latest. Every client run is a new process, and with tiered compilation this 2-core
/// VM was still recompiling hot paths (up to a third of the client's CPU in the setup test) several seconds after
/// start; the figures are meant to be steady state, as the baselines' are (BenchmarkDotNet warms up for the same
/// reason). The warm-up time and the methods compiled during it are printed with each result.
/// </summary>
internal sealed class WarmUpGate
{
    private static readonly TimeSpan Minimum = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Maximum = TimeSpan.FromSeconds(20);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _startCount = JitInfo.GetCompiledMethodCount();
    private long _lastCount = JitInfo.GetCompiledMethodCount();
    private TimeSpan _lastChange;
    private bool _warm;

    /// <summary>True once warm-up is over; polls the JIT's method count (cheap), so call it between work chunks.</summary>
    public bool IsWarm
    {
        get
        {
            if (_warm)
            {
                return true;
            }

            TimeSpan now = _clock.Elapsed;
            long count = JitInfo.GetCompiledMethodCount();
            if (count != _lastCount)
            {
                _lastCount = count;
                _lastChange = now;
            }

            _warm = now >= Maximum || (now >= Minimum && now - _lastChange >= Quiet);
            if (_warm)
            {
                Summary = $"warmup_s={Measure.F(now.TotalSeconds, 1)} warmup_jitted={count - _startCount}";
            }

            return _warm;
        }
    }

    /// <summary><c>warmup_s=… warmup_jitted=…</c> for the RESULT line; set when warm-up ends.</summary>
    public string Summary { get; private set; } = "warmup_s=? warmup_jitted=?";

    /// <summary>Runs <paramref name="chunk"/> until warm.</summary>
    public async Task RunAsync(Func<Task> chunk)
    {
        while (!IsWarm)
        {
            await chunk();
        }
    }

    /// <summary>Waits, polling, while other tasks do the warm-up work.</summary>
    public async Task WaitAsync()
    {
        while (!IsWarm)
        {
            await Task.Delay(100);
        }
    }
}
