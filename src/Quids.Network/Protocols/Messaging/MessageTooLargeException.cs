namespace Quids.Network.Protocols.Messaging;

/// <summary>A message is larger than the node's <c>BufferSize</c>; it was not sent.</summary>
public sealed class MessageTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MessageTooLargeException(int size, int limit)
        : base($"/quids/msg/1.0.0: a message of {size} bytes exceeds the limit of {limit} bytes (P2PNodeOptions.BufferSize).")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The message's size in bytes.</summary>
    public int Size { get; }

    /// <summary>The largest allowed size in bytes.</summary>
    public int Limit { get; }
}
