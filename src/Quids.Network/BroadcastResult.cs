using Quids.Network.Core;

namespace Quids.Network;

/// <summary>The outcome of <see cref="P2PNode.BroadcastMessageAsync"/> for each peer it was sent to.</summary>
public sealed class BroadcastResult
{
    internal BroadcastResult(IReadOnlyDictionary<PeerId, Exception?> outcomes) => Outcomes = outcomes;

    /// <summary>Each peer, with null if the message was handed to its socket, or the exception that stopped it.</summary>
    public IReadOnlyDictionary<PeerId, Exception?> Outcomes { get; }

    /// <summary>How many peers the message was handed to.</summary>
    public int Succeeded => Outcomes.Values.Count(e => e is null);

    /// <summary>How many peers it could not be sent to.</summary>
    public int Failed => Outcomes.Count - Succeeded;
}
