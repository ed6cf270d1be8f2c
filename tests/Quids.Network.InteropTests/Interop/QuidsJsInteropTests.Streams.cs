using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Tests.Support;

namespace Quids.Network.InteropTests.Interop;

// Many streams at once and resets: the Yamux stream table and flow control under js's own scheduling.
public sealed partial class QuidsJsInteropTests
{
    private const string ResetProtocol = "/quids/reset/1.0.0";
    private const string SlowEchoProtocol = "/quids/slow-echo/1.0.0";
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

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Streams_js_abandons_mid_transfer_are_released_by_Quids()
    {
        var quids = await StartQuidsAsync();
        int started = 0;
        // An echo of 16 KiB per 50 ms: 1 MiB takes over 3 s, so js's 1 s timeout resets it mid-transfer.
        quids.Swarm.SetStreamHandler(SlowEchoProtocol, async (incoming, cancellationToken) =>
        {
            Interlocked.Increment(ref started);
            var stream = incoming.Stream;
            while (true)
            {
                var read = await stream.Input.ReadAsync(cancellationToken);
                var chunk = read.Buffer.Slice(0, Math.Min(read.Buffer.Length, 16 * 1024));
                foreach (var segment in chunk)
                {
                    await stream.Output.WriteAsync(segment, cancellationToken);
                }

                stream.Input.AdvanceTo(chunk.End);
                if (read.IsCompleted && chunk.Length == read.Buffer.Length)
                {
                    break;
                }

                await Task.Delay(50, cancellationToken);
            }

            await stream.CloseWriteAsync();
        });
        var connection = await DialJsAsync(quids);

        await Assert.ThrowsAsync<JsPeerException>(() => Js.EchoAsync(
            quids.PeerId.ToString(), 1024 * 1024, streams: 2, protocol: SlowEchoProtocol, timeout: TimeSpan.FromSeconds(1)));

        Assert.Equal(2, Volatile.Read(ref started));
        var session = (Quids.Network.Muxing.Yamux.YamuxSession)connection.Muxer;
        await EventuallyAsync(() => Task.FromResult(session.StreamCount == 0), () => $"Quids still holds {session.StreamCount} streams");
        Assert.True(await quids.Ping.PingAsync(connection, Wait) > TimeSpan.Zero);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_stream_Quids_resets_mid_transfer_is_released_by_js()
    {
        var quids = await StartQuidsAsync();
        var connection = await DialJsAsync(quids);
        var stream = await connection.OpenStreamAsync(JsPeer.EchoProtocol, Wait);
        await stream.Output.WriteAsync(EchoPayload.Generate(3, 1024 * 1024));
        await stream.Input.ReadAsync();

        stream.Reset();
        await stream.DisposeAsync();

        await EventuallyAsync(
            async () => !(await JsConnectionToAsync(quids)).StreamProtocols.Contains(JsPeer.EchoProtocol),
            () => "js still holds the echo stream");
        var session = (Quids.Network.Muxing.Yamux.YamuxSession)connection.Muxer;
        await EventuallyAsync(() => Task.FromResult(session.StreamCount == 0), () => $"Quids still holds {session.StreamCount} streams");
        Assert.Single(await Js.PingAsync(quids.PeerId.ToString()));
    }
}
