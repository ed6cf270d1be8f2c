using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Quids.Network.Tests.Node;

public class MessagingBackPressureTests
{
    /// <summary>Far above what the stream's window and send buffer hold (about 600 messages of 1 KiB).</summary>
    private const int MaxSendsBeforeBackPressure = 10_000;

    [Fact]
    public async Task Sends_complete_at_once_while_the_buffer_has_room_then_wait_for_a_peer_that_stops_reading_and_all_arrive_in_order()
    {
        await using var a = await NodeTests.StartAsync();
        await using var b = await NodeTests.StartAsync();
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new ConcurrentQueue<int>();
        b.RegisterMessageHandler(async (_, message) =>
        {
            await reading.Task;
            received.Enqueue(BinaryPrimitives.ReadInt32BigEndian(message.Span));
        });
        await a.ConnectToPeerAsync("127.0.0.1", b.Port());

        // The first message opens the stream; b's handler then holds it, so b stops reading.
        await a.SendMessageToPeerAsync(b.PeerId, Message(0));
        var sends = new List<Task>();
        int completedAtOnce = 0;
        Task? waiting = null;
        while (waiting is null && sends.Count < MaxSendsBeforeBackPressure)
        {
            var send = a.SendMessageToPeerAsync(b.PeerId, Message(sends.Count + 1));
            sends.Add(send);
            if (send.IsCompletedSuccessfully)
            {
                completedAtOnce++;
            }
            else
            {
                // A scheduled flush can be briefly behind; only a send still waiting later is back-pressure.
                await Task.Delay(200);
                waiting = send.IsCompleted ? null : send;
            }
        }

        Assert.NotNull(waiting);
        Assert.True(completedAtOnce >= 100, $"only {completedAtOnce} sends completed at once");
        Assert.InRange(a.GetStatistics().MessagesSent, completedAtOnce + 1, sends.Count);

        reading.SetResult();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(10));
        await NodeTests.EventuallyAsync(() => received.Count == sends.Count + 1, "every message arrives");
        Assert.Equal(Enumerable.Range(0, sends.Count + 1), received);
        Assert.Equal(sends.Count + 1, a.GetStatistics().MessagesSent);
    }

    private static byte[] Message(int sequence)
    {
        var message = new byte[1024];
        BinaryPrimitives.WriteInt32BigEndian(message, sequence);
        return message;
    }
}
