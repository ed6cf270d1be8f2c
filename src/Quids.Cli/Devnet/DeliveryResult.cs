namespace Quids.Cli.Devnet;

/// <summary>
/// The devnet's message accounting. <paramref name="Delivered"/> counts expected messages that arrived exactly
/// once at the right node; everything else is a failure of a kind named here.
/// </summary>
internal sealed record DeliveryResult(int Expected, int Delivered, int Missing, int Duplicated, int Unexpected, int SendFailures)
{
    public bool Complete => Expected > 0 && Delivered == Expected && Unexpected == 0 && SendFailures == 0;

    /// <summary>Delivered as a percentage, rounded down so that a single loss never shows as 100%.</summary>
    public double Percent => Expected == 0 ? 0 : Math.Floor(1000.0 * Delivered / Expected) / 10;
}
