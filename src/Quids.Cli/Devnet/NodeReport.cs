using Quids.Network.Core;

namespace Quids.Cli.Devnet;

/// <summary>One devnet node's line in the final table.</summary>
internal sealed record NodeReport(
    int Index,
    PeerId PeerId,
    int Peers,
    long MessagesIn,
    long MessagesOut,
    long BytesIn,
    long BytesOut,
    TimeSpan? AverageRtt,
    int PingFailures)
{
    /// <summary>The peer id shortened for a table: every Ed25519 id starts <c>12D3KooW</c>, so the tail tells them apart.</summary>
    public string ShortPeerId
    {
        get
        {
            var text = PeerId.ToString();
            return text.Length <= 12 ? text : $"{text[..4]}…{text[^6..]}";
        }
    }
}
