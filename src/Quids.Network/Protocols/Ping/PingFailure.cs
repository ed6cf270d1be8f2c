namespace Quids.Network.Protocols.Ping;

/// <summary>Why a <c>/ipfs/ping/1.0.0</c> exchange failed.</summary>
public enum PingFailure
{
    /// <summary>The remote sent back bytes other than the ones it was sent.</summary>
    Mismatch,

    /// <summary>The stream ended before the full 32-byte echo arrived.</summary>
    StreamClosed,

    /// <summary>The remote ended its side in the middle of a 32-byte payload.</summary>
    Truncated,

    /// <summary>No echo arrived within the timeout.</summary>
    Timeout,
}
