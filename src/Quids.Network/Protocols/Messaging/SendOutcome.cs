namespace Quids.Network.Protocols.Messaging;

/// <summary>What <see cref="MessageSender.SendAsync"/> did with a message, for the caller's statistics.</summary>
internal enum SendOutcome
{
    /// <summary>In the connection's send buffer already; the task is complete.</summary>
    Accepted,

    /// <summary>Queued behind back-pressure or the stream's opening; the observer reports how it ends.</summary>
    Queued,

    /// <summary>Refused (the sender has stopped); the task is faulted.</summary>
    Failed,
}
