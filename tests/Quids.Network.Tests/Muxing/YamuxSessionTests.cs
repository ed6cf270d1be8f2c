using System.IO.Pipelines;
using Microsoft.Extensions.Time.Testing;
using Quids.Network.Muxing;
using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

public class YamuxSessionTests
{
    [Fact]
    public async Task Opens_and_accepts_a_stream_and_echoes_bytes_both_ways()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        await client.Output.WriteAsync("hello"u8.ToArray());
        IMuxedStream? server = await pair.Server.AcceptStreamAsync();
        Assert.NotNull(server);
        Assert.Equal(1u, client.StreamId);
        Assert.Equal(1u, server.StreamId);
        Assert.Equal("hello"u8.ToArray(), await StreamIo.ReadExactlyAsync(server.Input, 5));

        await server.Output.WriteAsync("world"u8.ToArray());
        Assert.Equal("world"u8.ToArray(), await StreamIo.ReadExactlyAsync(client.Input, 5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(70_000)]
    public async Task Writes_below_and_above_the_copy_size_arrive_in_order_byte_exact(int firstSize)
    {
        // Writes of up to 4 KiB are copied into frames of their own, larger ones are lent to the write loop;
        // interleaved, they must still leave in the order written.
        int[] sizes = [firstSize, 3, 4096, 4097, 100_000, 64, 1, 65_506, 2_000];
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        var expected = new List<byte>();
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] chunk = StreamIo.RandomBytes(sizes[i], seed: i);
            expected.AddRange(chunk);
            await client.Output.WriteAsync(chunk);
        }

        await client.Output.CompleteAsync();
        IMuxedStream? server = await pair.Server.AcceptStreamAsync();
        Assert.NotNull(server);

        Assert.Equal(expected.ToArray(), await StreamIo.ReadToEndAsync(server.Input));
    }

    [Fact]
    public async Task Moves_several_MiB_byte_exact_on_concurrent_streams_in_both_directions()
    {
        const int Streams = 4;
        const int Size = (1024 * 1024) + 12345;
        await using var pair = new YamuxSessionPair();

        var serverSide = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (int i = 0; i < Streams; i++)
            {
                IMuxedStream stream = (await pair.Server.AcceptStreamAsync())!;
                echoes.Add(Task.Run(async () =>
                {
                    // Each inbound stream sends its own payload back while reading the client's.
                    Task<byte[]> read = StreamIo.ReadToEndAsync(stream.Input);
                    await StreamIo.WriteAllAsync(stream.Output, StreamIo.RandomBytes(Size, 1000 + (int)stream.StreamId));
                    Assert.Equal(StreamIo.RandomBytes(Size, (int)stream.StreamId), await read);
                }));
            }

            await Task.WhenAll(echoes);
        });

        var clients = new List<Task>();
        for (int i = 0; i < Streams; i++)
        {
            IMuxedStream stream = await pair.Client.OpenStreamAsync();
            clients.Add(Task.Run(async () =>
            {
                Task<byte[]> read = StreamIo.ReadToEndAsync(stream.Input);
                await StreamIo.WriteAllAsync(stream.Output, StreamIo.RandomBytes(Size, (int)stream.StreamId), chunk: 50_000);
                Assert.Equal(StreamIo.RandomBytes(Size, 1000 + (int)stream.StreamId), await read);
            }));
        }

        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(20));
        await serverSide.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Half_close_ends_the_readers_data_while_the_other_direction_still_works()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        await client.Output.WriteAsync("request"u8.ToArray());
        await client.CloseWriteAsync();

        IMuxedStream server = (await pair.Server.AcceptStreamAsync())!;
        Assert.Equal("request"u8.ToArray(), await StreamIo.ReadToEndAsync(server.Input));

        await server.Output.WriteAsync("response"u8.ToArray());
        await server.CloseWriteAsync();
        Assert.Equal("response"u8.ToArray(), await StreamIo.ReadToEndAsync(client.Input));
        await WaitUntilAsync(() => pair.Client.StreamCount == 0 && pair.Server.StreamCount == 0);
    }

    [Fact]
    public async Task Reset_makes_the_peers_reader_throw_a_stream_reset_exception()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        await client.Output.WriteAsync(new byte[] { 1 });
        IMuxedStream server = (await pair.Server.AcceptStreamAsync())!;
        Assert.Equal(new byte[] { 1 }, await StreamIo.ReadExactlyAsync(server.Input, 1));

        client.Reset();
        var remote = await Assert.ThrowsAsync<StreamResetException>(async () => await server.Input.ReadAsync());
        Assert.Contains("reset by the peer", remote.Message);
        var local = await Assert.ThrowsAsync<StreamResetException>(async () => await client.Input.ReadAsync());
        Assert.Contains("reset locally", local.Message);
        await WaitUntilAsync(() => pair.Client.StreamCount == 0 && pair.Server.StreamCount == 0);
    }

    [Fact]
    public async Task Writing_after_the_peer_reset_the_stream_throws_a_stream_reset_exception()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        await client.Output.WriteAsync(new byte[] { 1 });
        IMuxedStream server = (await pair.Server.AcceptStreamAsync())!;
        server.Reset();
        await Assert.ThrowsAsync<StreamResetException>(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await client.Output.WriteAsync(new byte[1024]);
                await Task.Delay(1);
            }
        });
    }

    [Fact]
    public async Task An_exhausted_window_blocks_the_writer_until_the_reader_consumes()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        byte[] data = StreamIo.RandomBytes(1024 * 1024, 7);
        Task writing = StreamIo.WriteAllAsync(client.Output, data);
        IMuxedStream server = (await pair.Server.AcceptStreamAsync())!;

        // Nothing reads: at most the 256 KiB window crosses, plus the sender's pipe fills, then the writer waits.
        await Task.Delay(200);
        Assert.False(writing.IsCompleted);
        ReadResult peek = await server.Input.ReadAsync();
        Assert.True(peek.Buffer.Length <= YamuxOptions.InitialWindow);
        server.Input.AdvanceTo(peek.Buffer.Start);

        Assert.Equal(data, await StreamIo.ReadToEndAsync(server.Input));
        await writing.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_receive_window_grows_above_256_KiB_under_sustained_reading()
    {
        // On a fake clock that never advances, every window cycle is "faster than four round trips".
        var time = new FakeTimeProvider();
        await using var pair = new YamuxSessionPair(timeProvider: time);
        await pair.Client.PingAsync();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        Task writing = StreamIo.WriteAllAsync(client.Output, new byte[4 * 1024 * 1024], chunk: 64 * 1024);
        var server = (YamuxStream)(await pair.Server.AcceptStreamAsync())!;
        Assert.Equal(4 * 1024 * 1024, (await StreamIo.ReadToEndAsync(server.Input)).Length);
        await writing;
        Assert.True(server.ReceiveWindowSize > YamuxOptions.InitialWindow, $"window stayed at {server.ReceiveWindowSize}");
    }

    [Fact]
    public async Task Ping_measures_a_round_trip()
    {
        await using var pair = new YamuxSessionPair();
        TimeSpan rtt = await pair.Client.PingAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(rtt >= TimeSpan.Zero);
        Assert.True(await pair.Server.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Close_sends_go_away_and_the_peer_can_open_no_new_stream()
    {
        await using var pair = new YamuxSessionPair();
        await pair.Client.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(pair.Client.Completion.IsCompletedSuccessfully);

        Assert.Null(await pair.Server.AcceptStreamAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        try
        {
            await pair.Server.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (IOException)
        {
            // The server may still have been answering the client's opening ping when the client's side closed;
            // what matters here is that the server's session ended.
        }

        await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await pair.Server.OpenStreamAsync());
    }

    [Fact]
    public async Task Streams_end_with_a_reset_exception_when_the_session_is_aborted()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        pair.Client.Abort(new IOException("test abort"));
        var ex = await Assert.ThrowsAsync<StreamResetException>(async () => await client.Input.ReadAsync());
        Assert.Contains("test abort", ex.Message);
        await Assert.ThrowsAsync<IOException>(() => pair.Client.Completion);
        Assert.Null(await pair.Server.AcceptStreamAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Opening_beyond_the_outbound_limit_fails_with_a_typed_error()
    {
        await using var pair = new YamuxSessionPair(new YamuxOptions { MaxOutboundStreams = 2 });
        await pair.Client.OpenStreamAsync();
        await pair.Client.OpenStreamAsync();
        var ex = await Assert.ThrowsAsync<YamuxStreamLimitException>(async () => await pair.Client.OpenStreamAsync());
        Assert.Contains("maximum is 2", ex.Message);
    }

    [Fact]
    public async Task Opening_waits_while_the_peer_has_not_acknowledged_the_backlog()
    {
        await using var pair = new YamuxSessionPair(new YamuxOptions { AckBacklog = 2 });
        await pair.Client.OpenStreamAsync();
        await pair.Client.OpenStreamAsync();
        ValueTask<IMuxedStream> third = pair.Client.OpenStreamAsync();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);

        await pair.Server.AcceptStreamAsync();
        IMuxedStream opened = await third.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(5u, opened.StreamId);
    }

    [Fact]
    public async Task Dispose_half_closes_and_the_stream_leaves_both_tables_after_the_peers_fin()
    {
        await using var pair = new YamuxSessionPair();
        IMuxedStream client = await pair.Client.OpenStreamAsync();
        await client.Output.WriteAsync("bye"u8.ToArray());
        await client.DisposeAsync();
        IMuxedStream server = (await pair.Server.AcceptStreamAsync())!;
        Assert.Equal("bye"u8.ToArray(), await StreamIo.ReadToEndAsync(server.Input));
        await server.Output.WriteAsync(new byte[100_000]);
        await server.DisposeAsync();
        await WaitUntilAsync(() => pair.Client.StreamCount == 0 && pair.Server.StreamCount == 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
