namespace Quids.Network.Transport;

/// <summary>The <c>ConnectionClosed</c> token of a transport connection, fired once, off the calling loop.</summary>
internal sealed class ConnectionClosedSignal
{
    private readonly CancellationTokenSource _closed = new();
    private int _fired;

    public CancellationToken Token => _closed.Token;

    public void Fire()
    {
        if (Interlocked.Exchange(ref _fired, 1) != 0)
        {
            return;
        }

        // Cancel runs the token's callbacks synchronously; keep them off the loop that is finishing.
        ThreadPool.UnsafeQueueUserWorkItem(
            static closed =>
            {
                try
                {
                    closed.Cancel();
                }
                catch (AggregateException)
                {
                    // A failing callback is its registrant's bug; it must not take down a pool thread.
                }
            },
            _closed,
            preferLocal: false);
    }
}
