namespace Quids.Cli.Devnet;

/// <summary>Shows the devnet's phases as they run: progress bars on a terminal, plain lines otherwise.</summary>
internal interface IDevnetProgress
{
    /// <summary>Starts a phase of <paramref name="total"/> steps.</summary>
    IDevnetPhase Begin(string description, long total);
}
