using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Quids.Network.Harness;

/// <summary>
/// The encrypted-bulk floor of this machine: what two processes reach with nothing but a TCP socket and the
/// transport cipher Noise uses (ChaCha20-Poly1305 through the same .NET class, 65,535-byte frames with a 2-byte
/// length prefix, as libp2p Noise frames them). No handshake, no multistream, no Yamux, no pipes, no thread pool:
/// one dedicated thread per side with blocking sends of 1 MiB batches and blocking receives. The perf figures are
/// read against it, so that the cost of crypto and the kernel on this machine is separated from the stack's own.
/// </summary>
internal static class AeadFloor
{
    private const int PlaintextPerFrame = 65535 - 16;
    private const int FrameLength = 2 + 65535;
    private const int FramesPerSend = 16;

    /// <summary>Listens on a loopback port and serves each connection on a thread of its own.</summary>
    public static int Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        var accept = new Thread(() =>
        {
            while (true)
            {
                var socket = listener.Accept();
                new Thread(() => Serve(socket)) { IsBackground = true, Name = "aead-floor" }.Start();
            }
        })
        { IsBackground = true };
        accept.Start();
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>
    /// Sends encrypted frames for <paramref name="seconds"/> after untimed warm-up connections, and reports the
    /// bytes the server decrypted and authenticated per second.
    /// </summary>
    public static string Run(int port, double seconds)
    {
        var warmUp = new WarmUpGate();
        while (!warmUp.IsWarm)
        {
            Send(port, 0.25);
        }

        var (bytes, elapsed) = Send(port, seconds);
        return $"name=quids_aead_floor procs=2 bytes={bytes} seconds={Measure.F(elapsed, 3)} mb_per_s={Measure.F(bytes / 1e6 / elapsed)} {warmUp.Summary}";
    }

    private static (long Bytes, double Seconds) Send(int port, double seconds)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        // The key goes first, in the clear: the floor measures the transport cipher, not a key exchange.
        byte[] key = RandomNumberGenerator.GetBytes(32);
        socket.Send(key);
        using var cipher = new ChaCha20Poly1305(key);
        var plaintext = new byte[PlaintextPerFrame];
        var batch = new byte[FrameLength * FramesPerSend];
        Span<byte> nonce = stackalloc byte[12];
        ulong counter = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < FramesPerSend; i++)
            {
                Span<byte> frame = batch.AsSpan(i * FrameLength, FrameLength);
                BinaryPrimitives.WriteUInt16BigEndian(frame, FrameLength - 2);
                BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter++);
                cipher.Encrypt(nonce, plaintext, frame.Slice(2, PlaintextPerFrame), frame[(2 + PlaintextPerFrame)..]);
            }

            socket.Send(batch);
        }

        socket.Shutdown(SocketShutdown.Send);
        var reply = new byte[8];
        for (int read = 0; read < reply.Length;)
        {
            int n = socket.Receive(reply, read, reply.Length - read, SocketFlags.None);
            if (n == 0)
            {
                throw new InvalidOperationException("aead floor: the server closed without a count");
            }

            read += n;
        }

        return (BinaryPrimitives.ReadInt64BigEndian(reply), clock.Elapsed.TotalSeconds);
    }

    private static void Serve(Socket socket)
    {
        using (socket)
        {
            var key = new byte[32];
            ReceiveExactly(socket, key);
            using var cipher = new ChaCha20Poly1305(key);
            var buffer = new byte[FrameLength * FramesPerSend * 2];
            var plaintext = new byte[PlaintextPerFrame];
            Span<byte> nonce = stackalloc byte[12];
            ulong counter = 0;
            long bytes = 0;
            int filled = 0;
            while (true)
            {
                int n = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                filled += n;
                int offset = 0;
                while (filled - offset >= 2)
                {
                    int length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(offset));
                    if (filled - offset < 2 + length)
                    {
                        break;
                    }

                    BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter++);
                    ReadOnlySpan<byte> frame = buffer.AsSpan(offset + 2, length);
                    cipher.Decrypt(nonce, frame[..^16], frame[^16..], plaintext.AsSpan(0, length - 16));
                    bytes += length - 16;
                    offset += 2 + length;
                }

                buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                filled -= offset;
            }

            var reply = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(reply, bytes);
            socket.Send(reply);
        }
    }

    private static void ReceiveExactly(Socket socket, byte[] destination)
    {
        for (int read = 0; read < destination.Length;)
        {
            int n = socket.Receive(destination, read, destination.Length - read, SocketFlags.None);
            if (n == 0)
            {
                throw new InvalidOperationException("aead floor: the client closed before its key");
            }

            read += n;
        }
    }
}
