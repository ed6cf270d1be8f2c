using System.Net;
using System.Net.Sockets;

namespace Quids.Network.Tests.Support;

/// <summary>
/// A loopback TCP relay to a target, for fault tests: <see cref="Freeze"/> stops relaying while keeping the
/// sockets open (a silent peer), <see cref="DropAll"/> resets every relayed connection (a network cut).
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly List<(Socket A, Socket B)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private volatile bool _frozen;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(target.Address, 0));
        _listener.Listen();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Freeze() => _frozen = true;

    public void DropAll()
    {
        lock (_pairs)
        {
            foreach (var (a, b) in _pairs)
            {
                a.LingerState = new LingerOption(true, 0);
                b.LingerState = new LingerOption(true, 0);
                a.Dispose();
                b.Dispose();
            }

            _pairs.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        DropAll();
        await _accept.ContinueWith(_ => { });
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket a;
            try
            {
                a = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            var b = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await b.ConnectAsync(_target);
            lock (_pairs)
            {
                _pairs.Add((a, b));
            }

            _ = PumpAsync(a, b);
            _ = PumpAsync(b, a);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                while (_frozen)
                {
                    await Task.Delay(20);
                }

                await to.SendAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other side or DropAll closed the sockets: the relay simply ends.
        }
    }
}
