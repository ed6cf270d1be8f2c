namespace Quids.Network.Network;

/// <summary>Who opened a connection.</summary>
public enum ConnectionDirection
{
    /// <summary>The remote peer dialed us.</summary>
    Inbound,

    /// <summary>We dialed the remote peer.</summary>
    Outbound,
}
