namespace Quids.Network.Network;

/// <summary>
/// The address book file (JSON, <see cref="AddressBookJsonContext"/>). Versioned: a reader refuses a
/// <see cref="Version"/> it does not know rather than guess.
/// </summary>
internal sealed class AddressBookFile
{
    /// <summary>The format this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    public int Version { get; set; }

    public DateTimeOffset SavedAt { get; set; }

    public List<AddressBookFilePeer>? Peers { get; set; }
}
