namespace Quids.Network.Protocols.Messaging;

/// <summary>The connection to the peer (or its message stream) ended before the message was accepted into its send buffer; it was not sent.</summary>
public sealed class ConnectionLostException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionLostException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
