namespace Quids.Network.Protocols.Kad;

/// <summary>Why a Kademlia (<c>/ipfs/kad/1.0.0</c>) exchange failed.</summary>
public enum KadFailure
{
    /// <summary>A message is larger than the 4 MiB limit (sent or received).</summary>
    MessageTooLarge,

    /// <summary>The bytes are not a valid length-prefixed DHT message, or a field is invalid.</summary>
    Malformed,

    /// <summary>The stream ended inside a message, or before the expected response.</summary>
    EndOfStream,

    /// <summary>A key or record is above its limit.</summary>
    LimitExceeded,

    /// <summary>The remote answered with a different message type than asked.</summary>
    UnexpectedResponse,

    /// <summary>The peer could not be reached at any known address.</summary>
    Unreachable,
}
