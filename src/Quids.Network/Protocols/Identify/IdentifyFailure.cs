namespace Quids.Network.Protocols.Identify;

/// <summary>Why an identify exchange (<c>/ipfs/id/1.0.0</c> or its push variant) failed.</summary>
public enum IdentifyFailure
{
    /// <summary>A message is larger than the 8 KiB limit (sent or received).</summary>
    MessageTooLarge,

    /// <summary>The bytes are not a valid length-prefixed Identify protobuf message.</summary>
    Malformed,

    /// <summary>The stream ended inside a message, or before any message.</summary>
    EndOfStream,

    /// <summary>The message carries no public key.</summary>
    MissingPublicKey,

    /// <summary>The public key is not a valid peer-ids spec key.</summary>
    InvalidPublicKey,

    /// <summary>The public key does not belong to the connection's remote peer.</summary>
    PeerIdMismatch,
}
