using System.Threading.Tasks.Sources;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// A reusable wake-up for one waiter (a stream's sender): <see cref="Set"/> before the wait is remembered, and
/// waiting allocates nothing. The waiter re-checks its condition after every wake-up.
/// </summary>
internal sealed class AsyncAutoResetEvent : IValueTaskSource
{
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _signaled;
    private bool _waiting;

    public ValueTask WaitAsync()
    {
        lock (_lock)
        {
            if (_signaled)
            {
                _signaled = false;
                return default;
            }

            if (_waiting)
            {
                throw new InvalidOperationException("AsyncAutoResetEvent supports a single waiter.");
            }

            _waiting = true;
            _core.Reset();
            return new ValueTask(this, _core.Version);
        }
    }

    public void Set()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                _signaled = true;
                return;
            }

            _waiting = false;
        }

        _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
