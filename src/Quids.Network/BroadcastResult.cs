using Quids.Network.Core;

namespace Quids.Network;

/// <summary>The outcome of <see cref="P2PNode.BroadcastMessageAsync"/> for each peer it was sent to.</summary>
public sealed class BroadcastResult
{
    internal BroadcastResult(IReadOnlyDictionary<PeerId, Exception?> outcomes) => Outcomes = outcomes;

    /// <summary>Each peer, with null if the message was accepted into its connection's send buffer, or the exception that stopped it.</summary>
    public IReadOnlyDictionary<PeerId, Exception?> Outcomes { get; }

    /// <summary>How many peers accepted the message into their send buffer.</summary>
    public int Succeeded => Outcomes.Values.Count(e => e is null);

    /// <summary>How many peers it could not be sent to.</summary>
    public int Failed => Outcomes.Count - Succeeded;
}
