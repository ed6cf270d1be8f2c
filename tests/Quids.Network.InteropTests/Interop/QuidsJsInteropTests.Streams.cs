using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Tests.Support;

namespace Quids.Network.InteropTests.Interop;

// Many streams at once and resets: the Yamux stream table and flow control under js's own scheduling.
public sealed partial class QuidsJsInteropTests
{
    private const string ResetProtocol = "/quids/reset/1.0.0";
    private const int ManyStreams = 48;
    private const int ManyStreamBytes = 128 * 1024;

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_echoes_on_48_concurrent_streams_to_Quids_and_Quids_on_48_to_js()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);

        var fromJs = Js.EchoAsync(quids.PeerId.ToString(), ManyStreamBytes, streams: ManyStreams, seed: 100);
        var fromQuids = Task.WhenAll(Enumerable.Range(0, ManyStreams).Select(i => Task.Run(async () =>
        {
            var payload = EchoPayload.Generate(200 + (uint)i, ManyStreamBytes);
            var received = await TestNode.EchoOverAsync(connection, payload);
            return payload.AsSpan().SequenceEqual(received);
        })));

        Assert.Equal(ManyStreams, (await fromJs).Sha256s.Count);
        Assert.All(await fromQuids, Assert.True);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_stream_Quids_resets_fails_promptly_in_js_and_the_connection_stays()
    {
        var quids = await StartQuidsAsync();
        quids.Swarm.SetStreamHandler(ResetProtocol, (incoming, _) =>
        {
            incoming.Stream.Reset();
            return Task.CompletedTask;
        });

        var error = await Assert.ThrowsAsync<JsPeerException>(
            () => Js.EchoAsync(quids.Address.ToString(), 1024 * 1024, protocol: ResetProtocol, timeout: TimeSpan.FromSeconds(20)));

        Log(error.Message);
        Assert.DoesNotContain("timed out", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Single(await Js.PingAsync(quids.PeerId.ToString()));
    }
}
