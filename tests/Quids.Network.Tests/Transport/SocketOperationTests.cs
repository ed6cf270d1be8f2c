using System.Net;
using System.Net.Sockets;
using Quids.Network.Transport.Tcp;

namespace Quids.Network.Tests.Transport;

public sealed class SocketOperationTests
{
    [Fact]
    public async Task Sends_and_receives_then_holds_no_buffer_whether_it_completed_at_once_or_later()
    {
        (Socket a, Socket b) = await ConnectedPairAsync();
        using (a)
        using (b)
        {
            using var sender = new SocketOperation();
            using var gatherer = new SocketOperation();
            using var receiver = new SocketOperation();

            // Nothing to read yet: the zero-byte wait completes later, when the peer sends.
            ValueTask<int> readable = receiver.ReceiveAsync(b, Memory<byte>.Empty);
            Assert.Equal(3, await sender.SendAsync(a, new byte[] { 1, 2, 3 }));
            Assert.Equal(0, await readable);
            Assert.True(receiver.MemoryBuffer.IsEmpty);

            byte[] block = new byte[64];
            Assert.Equal(3, await receiver.ReceiveAsync(b, block));
            Assert.True(receiver.MemoryBuffer.IsEmpty);
            Assert.True(sender.MemoryBuffer.IsEmpty);

            Assert.Equal(4, await gatherer.SendAsync(a, [new ArraySegment<byte>([4, 5]), new ArraySegment<byte>([6, 7])]));
            Assert.Null(gatherer.BufferList);
            Assert.Equal(4, await receiver.ReceiveAsync(b, block));
            Assert.Equal(new byte[] { 4, 5, 6, 7 }, block[..4]);
        }
    }

    [Fact]
    public async Task A_failed_operation_throws_a_socket_exception_and_holds_no_buffer()
    {
        (Socket a, Socket b) = await ConnectedPairAsync();
        using (b)
        {
            using var receiver = new SocketOperation();
            ValueTask<int> pending = receiver.ReceiveAsync(a, new byte[64]);
            a.Dispose();

            await Assert.ThrowsAsync<SocketException>(async () => await pending);
            Assert.True(receiver.MemoryBuffer.IsEmpty);
        }
    }

    private static async Task<(Socket, Socket)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var dialer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task<Socket> accepted = listener.AcceptAsync();
        await dialer.ConnectAsync(listener.LocalEndPoint!);
        return (dialer, await accepted);
    }
}
