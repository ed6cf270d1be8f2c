using System.Net;
using System.Net.Sockets;
using Quids.Network.Transport;
using Quids.Network.Transport.Tcp;
using static Quids.Network.Tests.Transport.TransportTestHelpers;

namespace Quids.Network.Tests.Transport;

public sealed class TcpTransportTests
{
    private readonly TcpTransport _transport = new();

    [Fact]
    public async Task Listening_on_port_zero_reports_the_port_actually_bound()
    {
        await using ITransportListener listener = _transport.Listen(new IPEndPoint(IPAddress.Loopback, 0));

        var bound = Assert.IsType<IPEndPoint>(listener.LocalEndPoint);
        Assert.Equal(IPAddress.Loopback, bound.Address);
        Assert.NotEqual(0, bound.Port);
    }

    [Fact]
    public async Task Connects_over_IPv6_loopback()
    {
        await using ITransportListener listener = _transport.Listen(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        (ITransportConnection dialer, ITransportConnection accepted) = await ConnectPairAsync(_transport, listener);
        await using (dialer)
        await using (accepted)
        {
            Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)accepted.RemoteEndPoint).Address);
            await WriteAllAsync(dialer.Transport.Output, [6, 6]);
            Assert.Equal(new byte[] { 6, 6 }, await ReadToEndAsync(accepted.Transport.Input));
        }
    }

    [Fact]
    public async Task A_dual_stack_listener_on_any_IPv6_accepts_an_IPv4_dial_and_reports_a_plain_IPv4_peer()
    {
        await using ITransportListener listener = _transport.Listen(new IPEndPoint(IPAddress.IPv6Any, 0));
        int port = ((IPEndPoint)listener.LocalEndPoint).Port;

        ValueTask<ITransportConnection?> accept = listener.AcceptAsync();
        await using ITransportConnection dialer = await _transport.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await using ITransportConnection? accepted = await accept.AsTask().WaitAsync(WaitLimit);

        Assert.NotNull(accepted);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.RemoteEndPoint).Address);
        Assert.Equal(dialer.LocalEndPoint, accepted.RemoteEndPoint);
    }

    [Fact]
    public async Task Dials_a_DNS_name_trying_each_resolved_address_in_turn()
    {
        // Listening on IPv4 only: if "localhost" also resolves to ::1, that address is refused and the
        // dial must go on to 127.0.0.1.
        await using ITransportListener listener = _transport.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)listener.LocalEndPoint).Port;

        ValueTask<ITransportConnection?> accept = listener.AcceptAsync();
        await using ITransportConnection dialer = await _transport.ConnectAsync(new DnsEndPoint("localhost", port));
        await using ITransportConnection? accepted = await accept.AsTask().WaitAsync(WaitLimit);

        Assert.NotNull(accepted);
        Assert.Equal(listener.LocalEndPoint, dialer.RemoteEndPoint);
    }

    [Fact]
    public async Task A_dial_that_gets_no_answer_times_out_with_a_typed_error_naming_the_endpoint()
    {
        // A listener that never accepts, with its queue full, drops further SYNs: the dial hangs.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(1);
        var endPoint = (IPEndPoint)silent.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                Task connect = filler.ConnectAsync(endPoint);
                await connect.WaitAsync(TimeSpan.FromMilliseconds(200)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                if (!connect.IsCompleted)
                {
                    break;
                }
            }

            var transport = new TcpTransport(new TcpTransportOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
            var error = await Assert.ThrowsAsync<TransportConnectException>(() => transport.ConnectAsync(endPoint).AsTask().WaitAsync(WaitLimit));

            Assert.Contains(endPoint.ToString(), error.Message, StringComparison.Ordinal);
            Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task Cancelling_a_dial_throws_cancellation_not_a_connect_error()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _transport.ConnectAsync(new IPEndPoint(IPAddress.Loopback, 9), cancelled.Token).AsTask());
    }

    [Fact]
    public void Listening_on_a_port_in_use_gives_a_typed_error_naming_the_endpoint()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();

        var error = Assert.Throws<TransportListenException>(() => _transport.Listen(taken.LocalEndPoint!));
        Assert.Contains(taken.LocalEndPoint!.ToString()!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_out_of_range_are_rejected_when_the_transport_is_created()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransport(new TcpTransportOptions { ConnectTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpTransport(new TcpTransportOptions { MaxReadBufferSize = 0 }));
    }

    [Fact]
    public async Task A_hundred_concurrent_connections_each_get_their_own_bytes_echoed()
    {
        const int connections = 100;
        await using ITransportListener listener = _transport.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        var servers = new List<Task>();
        Task acceptLoop = Task.Run(async () =>
        {
            for (int i = 0; i < connections; i++)
            {
                ITransportConnection accepted = (await listener.AcceptAsync())!;
                servers.Add(Task.Run(async () =>
                {
                    await using (accepted)
                    {
                        await EchoAsync(accepted);
                    }
                }));
            }
        });

        async Task DialAndEchoAsync(int seed)
        {
            byte[] data = Pattern(4096 + seed, seed);
            await using ITransportConnection dialer = await _transport.ConnectAsync(listener.LocalEndPoint);
            Task<byte[]> echoed = ReadToEndAsync(dialer.Transport.Input);
            await WriteAllAsync(dialer.Transport.Output, data);
            Assert.Equal(data, await echoed);
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(DialAndEchoAsync)).WaitAsync(WaitLimit);
        await acceptLoop.WaitAsync(WaitLimit);
        await Task.WhenAll(servers).WaitAsync(WaitLimit);
    }
}
