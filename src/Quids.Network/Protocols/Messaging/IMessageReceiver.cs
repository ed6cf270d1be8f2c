namespace Quids.Network.Protocols.Messaging;

/// <summary>The receiving end of one inbound message stream: called in order by the stream's single reader.</summary>
internal interface IMessageReceiver
{
    /// <summary>Handles one message; the next message of the stream waits until the returned task completes.</summary>
    ValueTask OnMessage(ReadOnlyMemory<byte> message);

    /// <summary>The stream has ended: no further call comes.</summary>
    void OnEnded();
}
