using Quids.Network.Core;
using Quids.Network.Protocols.Kad;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Protocols.Kad;

/// <summary>A <see cref="TestNode"/> with a <see cref="KadService"/> added (refresh timer off: tests drive lookups).</summary>
internal sealed class KadTestNode : IAsyncDisposable
{
    private KadTestNode(TestNode node, KadService kad)
    {
        Node = node;
        Kad = kad;
    }

    public TestNode Node { get; }

    public KadService Kad { get; }

    public PeerId PeerId => Node.PeerId;

    public static async Task<KadTestNode> StartAsync(Action<KadOptions>? configure = null)
    {
        var node = await TestNode.StartAsync();
        var options = new KadOptions { RefreshInterval = Timeout.InfiniteTimeSpan, RequestTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return new KadTestNode(node, new KadService(node.Swarm, node.Identify, options));
    }

    public static async Task<List<KadTestNode>> StartManyAsync(int count) =>
        [.. await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartAsync()))];

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Kad.DisposeAsync();
        await Node.DisposeAsync();
    }
}
