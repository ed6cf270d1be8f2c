using System.Buffers;
using System.IO.Pipelines;
using Quids.Network.Muxing.Yamux;

namespace Quids.Network.Tests.Muxing;

/// <summary>A hand-driven peer: the test writes literal frames to a real session and reads what it answers.</summary>
internal sealed class RawYamuxPeer : IAsyncDisposable
{
    private readonly TestDuplexPipe _raw;

    public RawYamuxPeer(bool sessionIsClient, YamuxOptions? options = null, TimeProvider? timeProvider = null)
    {
        (TestDuplexPipe sessionEnd, TestDuplexPipe rawEnd) = TestDuplexPipe.CreatePair();
        _raw = rawEnd;
        options ??= new YamuxOptions { PingOnStart = false };
        Session = new YamuxSession(sessionEnd, sessionIsClient, options, timeProvider);
        Session.Start();
    }

    public YamuxSession Session { get; }

    public async Task SendAsync(params byte[] bytes)
    {
        await _raw.Output.WriteAsync(bytes);
    }

    public Task SendAsync(YamuxFrameType type, YamuxFlags flags, uint streamId, uint length, byte[]? payload = null)
    {
        var bytes = new byte[YamuxFrameHeader.Size + (payload?.Length ?? 0)];
        new YamuxFrameHeader(type, flags, streamId, length).Write(bytes);
        payload?.CopyTo(bytes, YamuxFrameHeader.Size);
        return SendAsync(bytes);
    }

    /// <summary>Reads the next frame the session wrote; null when the session closed its output.</summary>
    public async Task<(YamuxFrameHeader Header, byte[] Payload)?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        byte[] headerBytes = await ReadExactlyAsync(YamuxFrameHeader.Size, timeout.Token);
        if (headerBytes.Length == 0)
        {
            return null;
        }

        Assert.Null(YamuxFrameHeader.TryRead(headerBytes, uint.MaxValue, out YamuxFrameHeader header));
        byte[] payload = header.Type == YamuxFrameType.Data ? await ReadExactlyAsync((int)header.Length, timeout.Token) : [];
        return (header, payload);
    }

    /// <summary>Reads frames until one matches, skipping others (window updates, pings).</summary>
    public async Task<YamuxFrameHeader> ReceiveUntilAsync(Func<YamuxFrameHeader, bool> match)
    {
        while (true)
        {
            (YamuxFrameHeader Header, byte[] Payload)? frame = await ReceiveAsync();
            Assert.True(frame is not null, "The session closed its output before sending the expected frame.");
            if (match(frame.Value.Header))
            {
                return frame.Value.Header;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await _raw.Output.CompleteAsync();
        await _raw.Input.CompleteAsync();
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        while (true)
        {
            ReadResult result = await _raw.Input.ReadAsync(cancellationToken);
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                _raw.Input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            if (result.IsCompleted)
            {
                Assert.True(result.Buffer.IsEmpty, "The session closed its output in the middle of a frame.");
                return [];
            }

            _raw.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
