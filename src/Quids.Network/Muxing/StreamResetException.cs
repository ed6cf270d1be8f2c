namespace Quids.Network.Muxing;

/// <summary>A muxed stream was reset by either side, or ended because its session ended.</summary>
public sealed class StreamResetException : IOException
{
    /// <summary>Creates the exception with a message that says who reset which stream and why.</summary>
    public StreamResetException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
