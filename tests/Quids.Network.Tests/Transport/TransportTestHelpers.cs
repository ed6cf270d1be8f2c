using System.Buffers;
using System.IO.Pipelines;
using Quids.Network.Transport;

namespace Quids.Network.Tests.Transport;

internal static class TransportTestHelpers
{
    // Every wait in these tests is bounded so a bug shows as a failure, not a hung run.
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    public static async Task<(ITransportConnection Dialer, ITransportConnection Accepted)> ConnectPairAsync(ITransport transport, ITransportListener listener)
    {
        ValueTask<ITransportConnection?> accept = listener.AcceptAsync();
        ITransportConnection dialer = await transport.ConnectAsync(listener.LocalEndPoint).AsTask().WaitAsync(WaitLimit);
        ITransportConnection? accepted = await accept.AsTask().WaitAsync(WaitLimit);
        Assert.NotNull(accepted);
        return (dialer, accepted);
    }

    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task WriteAllAsync(PipeWriter writer, byte[] data, int chunkSize = 64 * 1024, bool complete = true)
    {
        for (int offset = 0; offset < data.Length; offset += chunkSize)
        {
            int count = Math.Min(chunkSize, data.Length - offset);
            await writer.WriteAsync(data.AsMemory(offset, count)).AsTask().WaitAsync(WaitLimit);
        }

        if (complete)
        {
            await writer.CompleteAsync();
        }
    }

    /// <summary>Reads until the writer completes; throws what the pipe throws.</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync().AsTask().WaitAsync(WaitLimit);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received.WrittenSpan.ToArray();
            }
        }
    }

    public static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync().AsTask().WaitAsync(WaitLimit);
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            Assert.False(result.IsCompleted, $"the input ended after {result.Buffer.Length} of {count} bytes");
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    public static Task WhenCancelled(CancellationToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => fired.TrySetResult());
        return fired.Task.WaitAsync(WaitLimit);
    }

    /// <summary>Echoes everything read back to the sender, then completes the output when the input ends.</summary>
    public static async Task EchoAsync(ITransportConnection connection)
    {
        await connection.Transport.Input.CopyToAsync(connection.Transport.Output);
        await connection.Transport.Output.CompleteAsync();
    }
}
