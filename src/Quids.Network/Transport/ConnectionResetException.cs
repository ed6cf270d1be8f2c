namespace Quids.Network.Transport;

/// <summary>The peer reset the connection (TCP RST, or the peer aborted); unread and unsent bytes are lost.</summary>
internal sealed class ConnectionResetException : IOException
{
    /// <summary>Creates the error with a message naming what was reset.</summary>
    public ConnectionResetException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
