using Quids.Network.Network;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// Told about messages a sender settled later than the call that handed them over (queued ones), so that
/// statistics count each message once without a continuation per message.
/// </summary>
internal interface IMessageSendObserver
{
    /// <summary><paramref name="messages"/> queued messages entered the connection's send buffer.</summary>
    void OnAccepted(NetworkConnection connection, int messages);

    /// <summary><paramref name="messages"/> queued messages were failed with <see cref="ConnectionLostException"/>.</summary>
    void OnFailed(NetworkConnection connection, int messages);
}
