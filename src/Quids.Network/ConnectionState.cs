namespace Quids.Network;

/// <summary>The life of a peer connection, as the seed defines it.</summary>
public enum ConnectionState
{
    /// <summary>Not connected: before the first dial, or after the connection ended normally.</summary>
    Disconnected,

    /// <summary>The TCP connection is being made.</summary>
    Connecting,

    /// <summary>TCP is up; security and multiplexing are being negotiated.</summary>
    Handshaking,

    /// <summary>Authenticated, encrypted and multiplexed: messages flow.</summary>
    Connected,

    /// <summary>The connection failed (dial, handshake, protocol violation, timeout, or network error).</summary>
    Error,
}
