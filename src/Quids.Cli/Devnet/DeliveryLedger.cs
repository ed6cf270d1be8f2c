using System.Collections.Concurrent;

namespace Quids.Cli.Devnet;

/// <summary>
/// Counts, per receiving node, which message ids were expected and which arrived, so that the devnet can
/// tell delivered exactly once from missing, duplicated and unexpected. Thread-safe: handlers record
/// arrivals while senders record expectations, in either order.
/// </summary>
internal sealed class DeliveryLedger
{
    private readonly ConcurrentDictionary<(int Receiver, string Id), byte> _expected = new();
    private readonly ConcurrentDictionary<(int Receiver, string Id), int> _received = new();
    private long _arrivals;
    private long _sendFailures;

    /// <summary>Every arrival, duplicates included: the progress measure while messages are in flight.</summary>
    public long Arrivals => Interlocked.Read(ref _arrivals);

    public int Expected => _expected.Count;

    public void Expect(int receiver, string id) => _expected.TryAdd((receiver, id), 0);

    public void Received(int receiver, string id)
    {
        _received.AddOrUpdate((receiver, id), 1, static (_, count) => count + 1);
        Interlocked.Increment(ref _arrivals);
    }

    /// <summary>A send that threw: its message stays expected, so it shows as missing too.</summary>
    public void SendFailed() => Interlocked.Increment(ref _sendFailures);

    /// <summary>Expected messages that have arrived at least once.</summary>
    public int CountArrived() => _expected.Keys.Count(_received.ContainsKey);

    public DeliveryResult Tally()
    {
        int delivered = 0, duplicated = 0;
        foreach (var key in _expected.Keys)
        {
            if (_received.TryGetValue(key, out int count))
            {
                if (count == 1)
                {
                    delivered++;
                }
                else
                {
                    duplicated++;
                }
            }
        }

        return new DeliveryResult(
            Expected: _expected.Count,
            Delivered: delivered,
            Missing: _expected.Keys.Count(k => !_received.ContainsKey(k)),
            Duplicated: duplicated,
            Unexpected: _received.Keys.Count(k => !_expected.ContainsKey(k)),
            SendFailures: (int)Interlocked.Read(ref _sendFailures));
    }
}
