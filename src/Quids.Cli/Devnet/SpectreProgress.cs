using Spectre.Console;

namespace Quids.Cli.Devnet;

/// <summary>Progress on a terminal: one Spectre progress bar per phase, its label replaced by the phase's summary when done.</summary>
internal sealed class SpectreProgress : IDevnetProgress
{
    private readonly ProgressContext _context;

    public SpectreProgress(ProgressContext context) => _context = context;

    public IDevnetPhase Begin(string description, long total) =>
        new Phase(_context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total)));

    private sealed class Phase(ProgressTask task) : IDevnetPhase
    {
        public void Advance(long steps = 1) => task.Increment(steps);

        public void SetValue(long value) => task.Value = value;

        public void Complete(string summary)
        {
            task.Description = Markup.Escape(summary);
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
