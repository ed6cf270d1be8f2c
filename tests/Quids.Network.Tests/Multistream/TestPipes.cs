using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Tests.Multistream;

/// <summary>In-memory pipes: connected pairs and a scripted remote whose bytes a test writes by hand.</summary>
internal static class TestPipes
{
    /// <summary>Two ends of an in-memory stream: what one writes the other reads.</summary>
    public static (IDuplexPipe Left, IDuplexPipe Right) CreatePair()
    {
        var leftToRight = new Pipe();
        var rightToLeft = new Pipe();
        return (new Duplex(rightToLeft.Reader, leftToRight.Writer), new Duplex(leftToRight.Reader, rightToLeft.Writer));
    }

    /// <summary>Reads everything available now (waiting for at least one byte) and returns it.</summary>
    public static async Task<byte[]> ReadAvailableAsync(PipeReader reader)
    {
        ReadResult result = await reader.ReadAsync();
        byte[] bytes = result.Buffer.ToArray();
        reader.AdvanceTo(result.Buffer.End);
        return bytes;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            Assert.False(result.IsCompleted, $"The stream ended after {result.Buffer.Length} of {count} bytes.");
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Writes and flushes raw bytes.</summary>
    public static async Task WriteAsync(PipeWriter writer, params byte[] bytes) => await writer.WriteAsync(bytes);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
