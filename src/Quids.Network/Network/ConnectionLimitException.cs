namespace Quids.Network.Network;

/// <summary>The node already holds its maximum number of connections.</summary>
public sealed class ConnectionLimitException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionLimitException(string message)
        : base(message)
    {
    }
}
