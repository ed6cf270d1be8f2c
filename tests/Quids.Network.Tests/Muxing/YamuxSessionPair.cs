using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

/// <summary>A dialer (client) and a listener (server) session over in-memory pipes.</summary>
internal sealed class YamuxSessionPair : IAsyncDisposable
{
    public YamuxSessionPair(YamuxOptions? options = null, TimeProvider? timeProvider = null)
    {
        (TestDuplexPipe a, TestDuplexPipe b) = TestDuplexPipe.CreatePair();
        Client = new YamuxSession(a, isClient: true, options, timeProvider);
        Server = new YamuxSession(b, isClient: false, options, timeProvider);
        Client.Start();
        Server.Start();
    }

    public YamuxSession Client { get; }

    public YamuxSession Server { get; }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
