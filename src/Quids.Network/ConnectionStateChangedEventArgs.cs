namespace Quids.Network;

/// <summary>A <see cref="P2PConnection"/> moved from one state to another.</summary>
public sealed class ConnectionStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, Exception? error)
    {
        Previous = previous;
        Current = current;
        Error = error;
    }

    /// <summary>The state before.</summary>
    public ConnectionState Previous { get; }

    /// <summary>The state now.</summary>
    public ConnectionState Current { get; }

    /// <summary>What went wrong, when <see cref="Current"/> is <see cref="ConnectionState.Error"/>.</summary>
    public Exception? Error { get; }
}
