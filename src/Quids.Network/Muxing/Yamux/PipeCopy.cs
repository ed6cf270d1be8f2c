using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Muxing.Yamux;

/// <summary>Copies a sequence into a pipe writer asking for spans as large as the data, not the writer's default.</summary>
internal static class PipeCopy
{
    /// <summary>
    /// Largest span requested at once, in bytes: one full data frame. Asking for the size we need (instead of
    /// the pipe's 4 KiB default) copies a 64 KiB payload into one pooled segment rather than sixteen.
    /// </summary>
    private const int MaxSpanRequest = 64 * 1024;

    public static void CopyTo(in ReadOnlySequence<byte> source, PipeWriter destination)
    {
        long remaining = source.Length;
        foreach (ReadOnlyMemory<byte> memory in source)
        {
            ReadOnlySpan<byte> segment = memory.Span;
            while (!segment.IsEmpty)
            {
                Span<byte> span = destination.GetSpan((int)Math.Min(remaining, MaxSpanRequest));
                int count = Math.Min(span.Length, segment.Length);
                segment[..count].CopyTo(span);
                destination.Advance(count);
                segment = segment[count..];
                remaining -= count;
            }
        }
    }
}
