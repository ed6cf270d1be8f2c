using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Quids.Network.Tests.Node;

public class ConcurrencyStressTests
{
    [Fact]
    public async Task Messages_sent_from_many_threads_to_many_peers_arrive_exactly_once_in_per_sender_order()
    {
        const int nodeCount = 4;
        const int threadsPerNode = 4;
        const int messagesPerThreadPerPeer = 250;
        var nodes = await Task.WhenAll(Enumerable.Range(0, nodeCount).Select(_ => NodeTests.StartAsync()));
        try
        {
            // received[receiver][(sender, thread)] = sequence numbers in arrival order
            var received = nodes.Select(_ => new ConcurrentDictionary<(int, int), List<int>>()).ToArray();
            for (int r = 0; r < nodeCount; r++)
            {
                int receiver = r;
                nodes[r].RegisterMessageHandler((peer, message) =>
                {
                    var span = message.Span;
                    var key = (BinaryPrimitives.ReadInt32LittleEndian(span), BinaryPrimitives.ReadInt32LittleEndian(span[4..]));
                    var list = received[receiver].GetOrAdd(key, _ => []);
                    lock (list)
                    {
                        list.Add(BinaryPrimitives.ReadInt32LittleEndian(span[8..]));
                    }
                });
            }

            for (int i = 0; i < nodeCount; i++)
            {
                for (int j = i + 1; j < nodeCount; j++)
                {
                    await nodes[i].ConnectToPeerAsync("127.0.0.1", nodes[j].Port());
                }
            }

            await NodeTests.EventuallyAsync(() => nodes.All(n => n.Connections.Count == nodeCount - 1), "a full mesh");
            var senders = from s in Enumerable.Range(0, nodeCount)
                          from t in Enumerable.Range(0, threadsPerNode)
                          select Task.Run(async () =>
                          {
                              var peers = nodes.Where((_, i) => i != s).Select(n => n.PeerId).ToArray();
                              for (int seq = 0; seq < messagesPerThreadPerPeer; seq++)
                              {
                                  foreach (var peer in peers)
                                  {
                                      var payload = new byte[12];
                                      BinaryPrimitives.WriteInt32LittleEndian(payload, s);
                                      BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), t);
                                      BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), seq);
                                      await nodes[s].SendMessageToPeerAsync(peer, payload);
                                  }
                              }
                          });
            await Task.WhenAll(senders);

            int expectedPerReceiver = (nodeCount - 1) * threadsPerNode * messagesPerThreadPerPeer;
            await NodeTests.EventuallyAsync(
                () => received.All(r => r.Values.Sum(l => { lock (l) { return l.Count; } }) >= expectedPerReceiver),
                "every message arrives", 30_000);
            for (int r = 0; r < nodeCount; r++)
            {
                Assert.Equal((nodeCount - 1) * threadsPerNode, received[r].Count);
                foreach (var sequence in received[r].Values)
                {
                    Assert.Equal(Enumerable.Range(0, messagesPerThreadPerPeer), sequence);
                }
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
