namespace Quids.Network.Protocols.Messaging;

/// <summary>The connection to the peer ended before the message was handed to the socket.</summary>
public sealed class ConnectionLostException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionLostException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
