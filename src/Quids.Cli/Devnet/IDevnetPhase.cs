namespace Quids.Cli.Devnet;

/// <summary>One running phase of the devnet. Thread-safe: many nodes advance it at once.</summary>
internal interface IDevnetPhase
{
    void Advance(long steps = 1);

    void SetValue(long value);

    /// <summary>Ends the phase with a one-line account of what it did.</summary>
    void Complete(string summary);
}
