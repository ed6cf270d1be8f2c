namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>How to start a <see cref="JsPeer"/>.</summary>
public sealed class JsPeerOptions
{
    /// <summary>Also listen on /ip6/::1/tcp/0. Defaults to false.</summary>
    public bool ListenIPv6 { get; init; }

    /// <summary>
    /// Keep js-libp2p's ConnectionMonitor on (pings every connection every 10 s and aborts it when the ping
    /// is late). Defaults to false: bulk transfers delay that ping and the connection gets killed.
    /// </summary>
    public bool ConnectionMonitor { get; init; }

    /// <summary>
    /// Run @libp2p/kad-dht as a server on /ipfs/kad/1.0.0 (loopback addresses kept, /quids/ keys accepted)
    /// and allow the <c>Dht*</c> commands. Defaults to false.
    /// </summary>
    public bool Dht { get; init; }

    /// <summary>
    /// Run @libp2p/kad-dht in client mode: it queries other peers but neither serves nor advertises
    /// /ipfs/kad/1.0.0. Allows the <c>Dht*</c> commands too. Defaults to false.
    /// </summary>
    public bool DhtClientMode { get; init; }

    /// <summary>
    /// Run @libp2p/mdns peer discovery (querying every 300 ms) and print a <c>peer:discovery</c> event for
    /// every peer it finds. Defaults to false.
    /// </summary>
    public bool Mdns { get; init; }

    /// <summary>
    /// A command and its arguments that run node, e.g. <c>["ip", "netns", "exec", "ns1"]</c> to start it inside a
    /// network namespace. Defaults to none: node is started directly.
    /// </summary>
    public IReadOnlyList<string> CommandPrefix { get; init; } = [];

    /// <summary>How long to wait for the ready line after starting node (npm ci is not counted). Defaults to 30 s.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of a command when the call does not pass one. Defaults to 60 s.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives every stderr line of the node process, e.g. <c>ITestOutputHelper.WriteLine</c>. Defaults to none.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Extra environment variables for the node process, e.g. <c>DEBUG=libp2p:*</c> for js-libp2p's own logs.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
