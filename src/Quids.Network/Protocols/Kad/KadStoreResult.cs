namespace Quids.Network.Protocols.Kad;

/// <summary>What a record or provider store did with a put.</summary>
internal enum KadStoreResult
{
    /// <summary>Stored (new, or replacing the previous value).</summary>
    Stored,

    /// <summary>The key is empty or longer than the limit.</summary>
    KeyTooLong,

    /// <summary>The value is larger than the limit.</summary>
    ValueTooLarge,

    /// <summary>The store holds its maximum of keys.</summary>
    StoreFull,
}
