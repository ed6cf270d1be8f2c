using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Quids.Network.Harness;

/// <summary>
/// A loopback TCP relay that holds every chunk of bytes for a fixed one-way delay, in both directions. Dialing
/// through it turns each round trip above TCP into twice the delay, so the number of round trips a connection
/// setup needs can be read off its duration (this machine has no <c>tc netem</c> to add latency in the kernel).
/// TCP's own handshake with the relay is local and not delayed.
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private DelayProxy(IPEndPoint target, TimeSpan oneWayDelay)
    {
        _target = target;
        _delay = oneWayDelay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where to connect to reach the target through the delay.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public static DelayProxy Start(IPEndPoint target, TimeSpan oneWayDelay) => new(target, oneWayDelay);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these; nothing is lost.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var _ = client;
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Either side closing or resetting ends the relay of that one connection.
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var chunks = Channel.CreateUnbounded<(long Due, byte[]? Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = WriteDelayedAsync(chunks.Reader, to);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                long due = Environment.TickCount64 + (long)_delay.TotalMilliseconds;
                chunks.Writer.TryWrite((due, read == 0 ? null : buffer.AsSpan(0, read).ToArray()));
                if (read == 0)
                {
                    break;
                }
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
            await writer;
        }
    }

    private async Task WriteDelayedAsync(ChannelReader<(long Due, byte[]? Bytes)> chunks, Socket to)
    {
        try
        {
            await foreach (var (due, bytes) in chunks.ReadAllAsync(_stop.Token))
            {
                long wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _stop.Token);
                }

                if (bytes is null)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(bytes, SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The other side went away; the relay of this connection ends.
        }
    }
}
