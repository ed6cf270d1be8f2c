namespace Quids.Cli.Devnet;

/// <summary>Progress for redirected output (scripts, CI, tests): one line per finished phase, nothing else.</summary>
internal sealed class PlainProgress : IDevnetProgress
{
    private readonly CliConsole _console;

    public PlainProgress(CliConsole console) => _console = console;

    public IDevnetPhase Begin(string description, long total) => new Phase(_console);

    private sealed class Phase(CliConsole console) : IDevnetPhase
    {
        public void Advance(long steps = 1)
        {
            // Plain output reports phases when they end; step counts would flood a log.
        }

        public void SetValue(long value)
        {
            // As Advance.
        }

        public void Complete(string summary) => console.Line("devnet: " + summary);
    }
}
