namespace Quids.Network.Diagnostics;

/// <summary>
/// An exact message count made of what settled streams counted plus the live <see cref="MessageTally"/> of each
/// open one: the hot path writes only its tally; attaching, settling and reading (all rare) take the lock.
/// </summary>
internal sealed class MessageCounter
{
    private readonly Lock _gate = new();
    private long _settled;
    private MessageTally[] _live = [];

    /// <summary>The count now.</summary>
    public long Value
    {
        get
        {
            lock (_gate)
            {
                long value = _settled;
                foreach (var tally in _live)
                {
                    value += tally.Count;
                }

                return value;
            }
        }
    }

    /// <summary>Adds messages counted outside any tally.</summary>
    public void Add(long messages)
    {
        lock (_gate)
        {
            _settled += messages;
        }
    }

    /// <summary>Includes <paramref name="tally"/> in the count from now on.</summary>
    public void Attach(MessageTally tally)
    {
        lock (_gate)
        {
            _live = [.. _live, tally];
        }
    }

    /// <summary>Folds a tally whose owner has stopped counting into the settled count.</summary>
    public void Settle(MessageTally tally)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_live, tally);
            if (index < 0)
            {
                return;
            }

            _settled += tally.Count;
            _live = [.. _live.AsSpan(0, index), .. _live.AsSpan(index + 1)];
        }
    }
}
