using Microsoft.Extensions.Logging;

namespace Quids.Network.Tests.Node;

internal static class NodeTests
{
    public static async Task<P2PNode> StartAsync(Action<P2PNodeOptions>? configure = null, string bind = "127.0.0.1", ILoggerFactory? logs = null)
    {
        var options = new P2PNodeOptions { Port = 0, BindAddress = bind };
        configure?.Invoke(options);
        var node = new P2PNode(options, logs);
        await node.StartAsync();
        return node;
    }

    public static int Port(this P2PNode node) => int.Parse(node.ListenAddresses[0].Components[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    public static async Task EventuallyAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(10);
        }
    }
}
