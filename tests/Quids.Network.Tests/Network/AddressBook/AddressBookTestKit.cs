using Microsoft.Extensions.Time.Testing;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network.AddressBook;

/// <summary>Deterministic peers and a book on fake time with captured logs.</summary>
internal sealed class AddressBookTestKit
{
    public AddressBookTestKit(AddressBookOptions? options = null)
    {
        Book = new Quids.Network.Network.AddressBook(Self, options, Time, Logs.CreateLogger("book"), new Random(1234));
    }

    public static PeerId Self { get; } = Peer(0);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public LogCapture Logs { get; } = new();

    public Quids.Network.Network.AddressBook Book { get; }

    public static PeerId Peer(int n)
    {
        var seed = new byte[32];
        BitConverter.TryWriteBytes(seed, n);
        seed[31] = 0x5A;
        using var key = IdentityKeyPair.FromSeed(seed);
        return key.PeerId;
    }

    public static Multiaddress Addr(string text) => Multiaddress.Parse(text);

    /// <summary>A public IPv4 TCP address in the /16 <c>a.b</c>.</summary>
    public static Multiaddress Ip4(int a, int b, int c = 1, int d = 1, int port = 4001) => Addr($"/ip4/{a}.{b}.{c}.{d}/tcp/{port}");

    public int Add(PeerId peer, AddressSource source, params string[] addresses) =>
        Book.Add(peer, addresses.Select(Addr), source);
}
