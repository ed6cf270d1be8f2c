using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>One address of a peer in the <see cref="AddressBook"/>, with what dialing it has taught us. Immutable.</summary>
/// <param name="Address">The address, without a trailing <c>/p2p/</c> component.</param>
/// <param name="Sources">Every source that reported this address.</param>
/// <param name="Group">The network group (<c>ip4:a.b</c>, <c>ip6:xxxx:xxxx</c> or <c>dns</c>) limits are counted in.</param>
/// <param name="LastConnected">When a connection over this address last succeeded, or null if never.</param>
/// <param name="Failures">Failed dials of this address since its last success.</param>
internal sealed record AddressBookAddress(
    Multiaddress Address,
    AddressSource Sources,
    string Group,
    DateTimeOffset? LastConnected,
    int Failures);
