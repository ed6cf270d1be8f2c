namespace Quids.Network;

/// <summary>No connection to the peer named in a send exists; nothing was sent.</summary>
public sealed class PeerNotConnectedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PeerNotConnectedException(string message)
        : base(message)
    {
    }
}
