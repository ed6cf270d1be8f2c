using Quids.Network.InteropTests.JsLibp2p;

namespace Quids.Network.InteropTests.Interop;

/// <summary>
/// Two js-libp2p peers running @libp2p/kad-dht in server mode, shared by a test class: each test wires fresh
/// Quids nodes between them, so the js peers only accumulate routing table entries of stopped Quids nodes
/// (dialing those fails at once on loopback).
/// </summary>
public sealed class DhtJsPeersFixture : IAsyncLifetime
{
    /// <summary>The first js DHT peer (valid after initialization).</summary>
    public JsPeer Js1 { get; private set; } = null!;

    /// <summary>The second js DHT peer (valid after initialization).</summary>
    public JsPeer Js2 { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var options = new JsPeerOptions { Dht = true };
        var started = await Task.WhenAll(JsPeer.StartAsync(options), JsPeer.StartAsync(options));
        (Js1, Js2) = (started[0], started[1]);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var js in new[] { Js1, Js2 })
        {
            if (js is not null)
            {
                await js.DisposeAsync();
            }
        }
    }
}
