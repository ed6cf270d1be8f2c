namespace Quids.Network.Network;

/// <summary>One peer in the <see cref="AddressBookFile"/>; every field is re-validated on load.</summary>
internal sealed class AddressBookFilePeer
{
    public string? Id { get; set; }

    public AddressSource Sources { get; set; }

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTimeOffset? LastConnected { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset? LastFailure { get; set; }

    public List<AddressBookFileAddress>? Addresses { get; set; }
}
