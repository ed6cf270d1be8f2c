namespace Quids.Network.Muxing.Yamux;

/// <summary>A new outbound stream was refused because this side already has the maximum number of streams open.</summary>
public sealed class YamuxStreamLimitException : IOException
{
    /// <summary>Creates the exception with a message that names the limit.</summary>
    public YamuxStreamLimitException(string message)
        : base(message)
    {
    }
}
