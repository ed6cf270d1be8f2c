namespace Quids.Network;

/// <summary>A peer connected or disconnected.</summary>
public sealed class PeerEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public PeerEventArgs(P2PConnection connection, Exception? error = null)
    {
        Connection = connection;
        Error = error;
    }

    /// <summary>The connection concerned.</summary>
    public P2PConnection Connection { get; }

    /// <summary>Why the connection ended, if it failed.</summary>
    public Exception? Error { get; }
}
