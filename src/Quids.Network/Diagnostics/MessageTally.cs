namespace Quids.Network.Diagnostics;

/// <summary>
/// The messages one inbound message stream has received, counted by its single receive loop with plain writes: a
/// locked add per 64-byte message cost more than the rest of its bookkeeping. Readers see every message whose
/// handler has started (the loop counts before calling it), so statistics stay exact.
/// </summary>
internal sealed class MessageTally
{
    private long _count;

    /// <summary>Messages counted so far.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Counts one message; called only by the tally's owner.</summary>
    public void Increment() => Volatile.Write(ref _count, _count + 1);
}
