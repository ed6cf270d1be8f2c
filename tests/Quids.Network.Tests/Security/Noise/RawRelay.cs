using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Quids.Network.Tests.Security.Noise;

/// <summary>
/// Carries raw bytes from one party to the other, and on request records them or flips a bit in
/// the next chunk, like a wire an attacker can touch.
/// </summary>
internal sealed class RawRelay
{
    private readonly Pipe _in = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _out = new(new PipeOptions(useSynchronizationContext: false));
    private readonly MemoryStream _recorded = new();
    private volatile bool _recording;
    private volatile bool _corruptNext;

    public RawRelay()
    {
        Completion = Task.Run(RunAsync);
    }

    public PipeWriter Writer => _in.Writer;

    public PipeReader Reader => _out.Reader;

    public Task Completion { get; }

    public void StartRecording() => _recording = true;

    public void CorruptNextChunk() => _corruptNext = true;

    /// <summary>Lengths of the Noise frames recorded so far (each without its 2-byte prefix).</summary>
    public List<int> RecordedFrameLengths()
    {
        byte[] bytes;
        lock (_recorded)
        {
            bytes = _recorded.ToArray();
        }

        var lengths = new List<int>();
        int offset = 0;
        while (offset + 2 <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset));
            lengths.Add(length);
            offset += 2 + length;
        }

        Assert.Equal(bytes.Length, offset);
        return lengths;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            ReadResult result = await _in.Reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                byte[] chunk = segment.ToArray();
                if (_corruptNext && chunk.Length > 0)
                {
                    _corruptNext = false;
                    chunk[^1] ^= 0x01;
                }

                if (_recording)
                {
                    lock (_recorded)
                    {
                        _recorded.Write(chunk);
                    }
                }

                _out.Writer.Write(chunk);
            }

            _in.Reader.AdvanceTo(result.Buffer.End);
            await _out.Writer.FlushAsync();
            if (result.IsCompleted)
            {
                await _out.Writer.CompleteAsync();
                await _in.Reader.CompleteAsync();
                return;
            }
        }
    }
}
