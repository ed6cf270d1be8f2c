using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// The application's view of a stream's receive pipe. It counts the bytes the application consumes (at
/// AdvanceTo), which is what returns receive window to the peer: a slow reader slows the sender.
/// </summary>
internal sealed class YamuxStreamReader : PipeReader
{
    private readonly YamuxStream _stream;
    private readonly PipeReader _inner;
    private ReadOnlySequence<byte> _lastBuffer;
    private bool _completed;

    public YamuxStreamReader(YamuxStream stream, PipeReader inner)
    {
        _stream = stream;
        _inner = inner;
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ReadResult result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        _lastBuffer = result.Buffer;
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_inner.TryRead(out result))
        {
            return false;
        }

        _lastBuffer = result.Buffer;
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        long bytes = _lastBuffer.Slice(0, consumed).Length;
        _lastBuffer = default;
        _inner.AdvanceTo(consumed, examined);
        if (bytes > 0)
        {
            _stream.OnConsumed((uint)bytes);
        }
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        _inner.Complete(exception);
        _stream.OnReaderCompleted();
    }
}
