namespace Quids.Network.Transport;

/// <summary>This side aborted the connection; the inner exception, if any, is the reason given to <c>Abort</c>.</summary>
internal sealed class ConnectionAbortedException : IOException
{
    /// <summary>Creates the error with a message naming what was aborted and why.</summary>
    public ConnectionAbortedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
