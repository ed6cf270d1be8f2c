using System.IO.Pipelines;
using System.Net;
using Quids.Network.Transport;
using static Quids.Network.Tests.Transport.TransportTestHelpers;

namespace Quids.Network.Tests.Transport;

/// <summary>The contract every <see cref="ITransport"/> keeps; each transport runs it through a subclass.</summary>
public abstract class TransportConformanceTests
{
    private protected const long SmallBuffer = 64 * 1024;

    private protected abstract ITransport CreateTransport(long maxBufferSize);

    private protected abstract EndPoint ListenEndPoint { get; }

    /// <summary>An endpoint that refuses connections.</summary>
    private protected abstract Task<EndPoint> GetClosedEndPointAsync();

    private ITransport CreateTransport() => CreateTransport(1024 * 1024);

    [Fact]
    public async Task Connect_and_accept_see_each_others_endpoints()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (dialer)
        await using (accepted)
        {
            Assert.Equal(listener.LocalEndPoint, dialer.RemoteEndPoint);
            Assert.Equal(dialer.LocalEndPoint, accepted.RemoteEndPoint);
            Assert.Equal(accepted.LocalEndPoint, dialer.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task Moves_megabytes_both_ways_byte_exact_and_counts_them()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (dialer)
        await using (accepted)
        {
            byte[] up = Pattern(3 * 1024 * 1024 + 17, seed: 1);
            byte[] down = Pattern(2 * 1024 * 1024 + 5, seed: 2);

            Task<byte[]> receivedUp = ReadToEndAsync(accepted.Transport.Input);
            Task<byte[]> receivedDown = ReadToEndAsync(dialer.Transport.Input);
            await Task.WhenAll(WriteAllAsync(dialer.Transport.Output, up), WriteAllAsync(accepted.Transport.Output, down));

            // SequenceEqual: xunit's element-by-element comparison of megabyte arrays costs seconds.
            byte[] gotUp = await receivedUp;
            byte[] gotDown = await receivedDown;
            Assert.True(up.AsSpan().SequenceEqual(gotUp), "the bytes sent up arrived changed");
            Assert.True(down.AsSpan().SequenceEqual(gotDown), "the bytes sent down arrived changed");
            Assert.Equal(up.Length, dialer.BytesSent);
            Assert.Equal(up.Length, accepted.BytesReceived);
            Assert.Equal(down.Length, accepted.BytesSent);
            Assert.Equal(down.Length, dialer.BytesReceived);
        }
    }

    [Fact]
    public async Task Completing_the_output_is_seen_as_end_of_input_while_the_other_direction_still_works()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (dialer)
        await using (accepted)
        {
            await WriteAllAsync(dialer.Transport.Output, [1, 2, 3]);
            Assert.Equal(new byte[] { 1, 2, 3 }, await ReadToEndAsync(accepted.Transport.Input));

            await WriteAllAsync(accepted.Transport.Output, [4, 5], complete: false);
            Assert.Equal(new byte[] { 4, 5 }, await ReadExactlyAsync(dialer.Transport.Input, 2));
        }
    }

    [Fact]
    public async Task Dispose_sends_what_is_queued_then_the_peer_sees_the_end_and_its_connection_closes()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (accepted)
        {
            byte[] data = Pattern(256 * 1024, seed: 3);
            Task<byte[]> received = ReadToEndAsync(accepted.Transport.Input);
            await WriteAllAsync(dialer.Transport.Output, data, complete: false);
            await dialer.DisposeAsync().AsTask().WaitAsync(WaitLimit);

            Assert.Equal(data, await received);
            await WhenCancelled(accepted.ConnectionClosed);
            await WhenCancelled(dialer.ConnectionClosed);
        }
    }

    [Fact]
    public async Task Abort_fails_local_reads_with_the_reason_and_the_peer_sees_an_error_or_the_end()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (dialer)
        await using (accepted)
        {
            await WriteAllAsync(dialer.Transport.Output, [9], complete: false);
            Assert.Equal(new byte[] { 9 }, await ReadExactlyAsync(accepted.Transport.Input, 1));

            dialer.Abort(new InvalidOperationException("test abort"));

            var local = await Assert.ThrowsAsync<ConnectionAbortedException>(() => ReadToEndAsync(dialer.Transport.Input));
            Assert.Contains("test abort", local.Message, StringComparison.Ordinal);
            try
            {
                Assert.Empty(await ReadToEndAsync(accepted.Transport.Input));
            }
            catch (IOException)
            {
                // A reset is the usual outcome; an end of input is also allowed by the contract.
            }

            await WhenCancelled(dialer.ConnectionClosed);
            await WhenCancelled(accepted.ConnectionClosed);
            dialer.Abort(null); // A second abort is a no-op.
        }
    }

    [Fact]
    public async Task After_the_peer_aborts_reads_and_writes_fail_with_a_reset()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (dialer)
        await using (accepted)
        {
            accepted.Abort(null);

            await Assert.ThrowsAsync<ConnectionResetException>(() => ReadToEndAsync(dialer.Transport.Input));
            var writeError = await Assert.ThrowsAsync<ConnectionResetException>(async () =>
            {
                // The first writes may still be taken by the kernel; the reset shows on a later flush.
                for (int i = 0; i < 100; i++)
                {
                    FlushResult result = await dialer.Transport.Output.WriteAsync(new byte[1024]).AsTask().WaitAsync(WaitLimit);
                    Assert.False(result.IsCompleted, "the output completed without reporting the reset");
                    await Task.Delay(10);
                }
            });
            Assert.Contains("reset", writeError.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Abort_and_dispose_after_the_connection_ended_are_harmless()
    {
        ITransport transport = CreateTransport();
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);

        await dialer.DisposeAsync().AsTask().WaitAsync(WaitLimit);
        await WhenCancelled(accepted.ConnectionClosed);
        dialer.Abort(null);
        accepted.Abort(new InvalidOperationException("late"));
        accepted.Abort(null);
        await accepted.DisposeAsync().AsTask().WaitAsync(WaitLimit);
        await accepted.DisposeAsync().AsTask().WaitAsync(WaitLimit);
        await dialer.DisposeAsync().AsTask().WaitAsync(WaitLimit);
    }

    [Fact]
    public async Task Disposing_the_listener_ends_a_pending_accept_with_null_and_refuses_new_dials()
    {
        ITransport transport = CreateTransport();
        ITransportListener listener = transport.Listen(ListenEndPoint);
        EndPoint bound = listener.LocalEndPoint;
        ValueTask<ITransportConnection?> pending = listener.AcceptAsync();

        await listener.DisposeAsync();

        Assert.Null(await pending.AsTask().WaitAsync(WaitLimit));
        Assert.Null(await listener.AcceptAsync().AsTask().WaitAsync(WaitLimit));
        await Assert.ThrowsAsync<TransportConnectException>(() => transport.ConnectAsync(bound).AsTask().WaitAsync(WaitLimit));
    }

    [Fact]
    public async Task Dialing_where_nobody_listens_gives_a_typed_error_naming_the_endpoint()
    {
        ITransport transport = CreateTransport();
        EndPoint closed = await GetClosedEndPointAsync();

        var error = await Assert.ThrowsAsync<TransportConnectException>(() => transport.ConnectAsync(closed).AsTask().WaitAsync(WaitLimit));

        Assert.Equal(closed, error.EndPoint);
        Assert.Contains(closed.ToString()!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_waits_while_the_reader_lags_by_more_than_the_threshold_and_resumes_when_it_reads()
    {
        ITransport transport = CreateTransport(SmallBuffer);
        await using ITransportListener listener = transport.Listen(ListenEndPoint);
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(transport, listener);
        await using (dialer)
        await using (accepted)
        {
            // Kernel socket buffers also absorb bytes, so "blocked" means a flush still pending after a
            // pause, reached well before this cap; without back-pressure every flush would complete.
            const long cap = 64L * 1024 * 1024;
            const int chunk = 64 * 1024;
            PipeWriter writer = dialer.Transport.Output;
            long written = 0;
            Task<FlushResult> flush = Task.FromResult(default(FlushResult));
            while (written < cap)
            {
                writer.GetSpan(chunk)[..chunk].Fill((byte)(written / chunk));
                writer.Advance(chunk);
                written += chunk;
                flush = writer.FlushAsync().AsTask();
                if (!await CompletesWithinAsync(flush, TimeSpan.FromMilliseconds(200)))
                {
                    break;
                }
            }

            Assert.True(written < cap, "every flush completed although nobody read");
            Assert.False(flush.IsCompleted);

            Task<byte[]> all = ReadToEndAsync(accepted.Transport.Input);
            await flush.WaitAsync(WaitLimit);
            await writer.CompleteAsync();
            byte[] received = await all;
            Assert.Equal(written, received.Length);
            for (int i = 0; i < received.Length; i += chunk)
            {
                Assert.Equal((byte)(i / chunk), received[i]);
            }
        }
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan time)
    {
        await task.WaitAsync(time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return task.IsCompleted;
    }
}
