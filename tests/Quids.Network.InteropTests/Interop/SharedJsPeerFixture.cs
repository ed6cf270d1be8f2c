using Quids.Network.InteropTests.JsLibp2p;

namespace Quids.Network.InteropTests.Interop;

/// <summary>
/// One js-libp2p peer (IPv4 and IPv6 loopback) for a whole test class: starting Node costs about a second on
/// this machine, a fresh Quids node per test costs milliseconds, so each test brings its own Quids node (its own
/// peer id, hence its own connection) and shares this js peer.
/// </summary>
public sealed class SharedJsPeerFixture : IAsyncLifetime
{
    /// <summary>The js peer (valid after initialization).</summary>
    public JsPeer Js { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => Js = await JsPeer.StartAsync(new JsPeerOptions { ListenIPv6 = true });

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Js is not null)
        {
            await Js.DisposeAsync();
        }
    }
}
