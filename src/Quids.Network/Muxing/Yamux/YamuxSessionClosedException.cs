namespace Quids.Network.Muxing.Yamux;

/// <summary>No new stream can be opened: the session has ended, is closing, or the peer sent Go Away.</summary>
public sealed class YamuxSessionClosedException : IOException
{
    /// <summary>Creates the exception with a message that says why the session refuses new streams.</summary>
    public YamuxSessionClosedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
