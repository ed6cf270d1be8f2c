namespace Quids.Network.Network;

/// <summary>One address of an <see cref="AddressBookFilePeer"/>, in multiaddress text form.</summary>
internal sealed class AddressBookFileAddress
{
    public string? Address { get; set; }

    public AddressSource Sources { get; set; }

    public DateTimeOffset? LastConnected { get; set; }

    public int Failures { get; set; }
}
