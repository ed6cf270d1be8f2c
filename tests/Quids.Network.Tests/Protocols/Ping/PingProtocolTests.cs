using Microsoft.Extensions.Time.Testing;
using Quids.Network.Multistream;
using Quids.Network.Protocols.Ping;
using static Quids.Network.Tests.Multistream.TestPipes;

namespace Quids.Network.Tests.Protocols.Ping;

public class PingProtocolTests
{
    [Fact]
    public async Task Measures_the_round_trip_with_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var (client, remote) = CreatePair();

        var ping = PingProtocol.PingAsync(client, time).AsTask();
        byte[] payload = await ReadExactlyAsync(remote.Input, PingProtocol.PayloadLength);
        time.Advance(TimeSpan.FromMilliseconds(25));
        await WriteAsync(remote.Output, payload);

        Assert.Equal(TimeSpan.FromMilliseconds(25), await ping);
    }

    [Fact]
    public async Task Reuses_one_stream_for_several_pings()
    {
        var time = new FakeTimeProvider();
        var (client, responder) = CreatePair();
        var respond = PingProtocol.RespondAsync(responder, time).AsTask();

        await PingProtocol.PingAsync(client, time);
        await PingProtocol.PingAsync(client, time);
        await client.Output.CompleteAsync();

        Assert.Equal(2, await respond);
        Assert.True((await ReadAvailableOrEndAsync(client)).Length == 0, "The responder consumed exactly the echoes.");
    }

    [Fact]
    public async Task Pings_over_a_stream_negotiated_with_multistream_select()
    {
        var time = new FakeTimeProvider();
        var (dialer, listener) = CreatePair();

        var serve = Task.Run(async () =>
        {
            await MultistreamListener.NegotiateAsync(listener, [PingProtocol.Id]);
            return await PingProtocol.RespondAsync(listener, time);
        });
        await MultistreamDialer.SelectOptimisticAsync(dialer, PingProtocol.Id);
        await PingProtocol.PingAsync(dialer, time);
        await dialer.Output.CompleteAsync();

        Assert.Equal(1, await serve);
    }

    [Fact]
    public async Task Sends_a_fresh_random_payload_each_time()
    {
        var (client, remote) = CreatePair();
        var first = PingProtocol.PingAsync(client, new FakeTimeProvider()).AsTask();
        byte[] a = await ReadExactlyAsync(remote.Input, PingProtocol.PayloadLength);
        await WriteAsync(remote.Output, a);
        await first;

        var second = PingProtocol.PingAsync(client, new FakeTimeProvider()).AsTask();
        byte[] b = await ReadExactlyAsync(remote.Input, PingProtocol.PayloadLength);
        await WriteAsync(remote.Output, b);
        await second;

        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Rejects_an_echo_that_differs()
    {
        var (client, remote) = CreatePair();

        var ping = PingProtocol.PingAsync(client, new FakeTimeProvider()).AsTask();
        byte[] payload = await ReadExactlyAsync(remote.Input, PingProtocol.PayloadLength);
        payload[31] ^= 0x01;
        await WriteAsync(remote.Output, payload);

        var error = await Assert.ThrowsAsync<PingException>(() => ping);
        Assert.Equal(PingFailure.Mismatch, error.Reason);
        Assert.StartsWith("/ipfs/ping/1.0.0: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_when_the_stream_ends_before_the_full_echo()
    {
        var (client, remote) = CreatePair();

        var ping = PingProtocol.PingAsync(client, new FakeTimeProvider()).AsTask();
        byte[] payload = await ReadExactlyAsync(remote.Input, PingProtocol.PayloadLength);
        await WriteAsync(remote.Output, payload[..10]);
        await remote.Output.CompleteAsync();

        var error = await Assert.ThrowsAsync<PingException>(() => ping);
        Assert.Equal(PingFailure.StreamClosed, error.Reason);
    }

    [Fact]
    public async Task Times_out_when_no_echo_arrives()
    {
        var time = new FakeTimeProvider();
        var (client, remote) = CreatePair();

        var ping = PingProtocol.PingAsync(client, time).AsTask();
        await ReadExactlyAsync(remote.Input, PingProtocol.PayloadLength);
        time.Advance(PingProtocol.DefaultTimeout);

        var error = await Assert.ThrowsAsync<PingException>(() => ping);
        Assert.Equal(PingFailure.Timeout, error.Reason);
    }

    [Fact]
    public async Task Responder_echoes_pipelined_pings_and_closes_when_the_remote_does()
    {
        var (responder, remote) = CreatePair();
        byte[] two = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

        var respond = PingProtocol.RespondAsync(responder, new FakeTimeProvider()).AsTask();
        await WriteAsync(remote.Output, two);
        await remote.Output.CompleteAsync();

        Assert.Equal(2, await respond);
        Assert.Equal(two, await ReadExactlyAsync(remote.Input, 64));
        Assert.True((await remote.Input.ReadAsync()).IsCompleted);
    }

    [Fact]
    public async Task Responder_rejects_a_partial_payload_at_the_end()
    {
        var (responder, remote) = CreatePair();

        var respond = PingProtocol.RespondAsync(responder, new FakeTimeProvider()).AsTask();
        await WriteAsync(remote.Output, new byte[33]);
        await remote.Output.CompleteAsync();

        var error = await Assert.ThrowsAsync<PingException>(() => respond);
        Assert.Equal(PingFailure.Truncated, error.Reason);
        Assert.Equal(new byte[32], await ReadExactlyAsync(remote.Input, 32));
    }

    [Fact]
    public async Task Responder_closes_an_idle_stream()
    {
        var time = new FakeTimeProvider();
        var (responder, remote) = CreatePair();

        var respond = PingProtocol.RespondAsync(responder, time).AsTask();
        await WriteAsync(remote.Output, new byte[32]);
        await ReadExactlyAsync(remote.Input, 32);
        time.Advance(PingProtocol.ResponderIdleTimeout);

        Assert.Equal(1, await respond);
        Assert.True((await remote.Input.ReadAsync()).IsCompleted);
    }

    private static async Task<byte[]> ReadAvailableOrEndAsync(System.IO.Pipelines.IDuplexPipe pipe)
    {
        var result = await pipe.Input.ReadAsync();
        byte[] bytes = System.Buffers.BuffersExtensions.ToArray(result.Buffer);
        pipe.Input.AdvanceTo(result.Buffer.End);
        return bytes;
    }
}
