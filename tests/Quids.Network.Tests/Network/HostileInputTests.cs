using Quids.Network.Network;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Network;

/// <summary>
/// A peer that breaks the rules at each layer gets its connection closed with a specific logged reason, while
/// a good peer connected before the attack keeps pinging and echoing and the node keeps accepting new peers.
/// </summary>
public partial class HostileInputTests
{
    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(3);

    /// <summary>A victim node with a good peer connected to it, on short timeouts.</summary>
    private sealed class Arena : IAsyncDisposable
    {
        private Arena(TestNode victim, TestNode good, NetworkConnection goodConnection)
        {
            Victim = victim;
            Good = good;
            GoodConnection = goodConnection;
        }

        public TestNode Victim { get; }

        public TestNode Good { get; }

        public NetworkConnection GoodConnection { get; }

        public static async Task<Arena> StartAsync(Action<HostOptions>? configure = null)
        {
            var victim = await TestNode.StartAsync(configure: o =>
            {
                o.HandshakeTimeout = TimeSpan.FromSeconds(2);
                o.StreamNegotiationTimeout = TimeSpan.FromSeconds(1);
                configure?.Invoke(o);
            });
            var good = await TestNode.StartAsync();
            var connection = await good.DialAsync(victim);
            await good.Ping.PingAsync(connection);
            return new Arena(victim, good, connection);
        }

        public Task<HostilePeer> ConnectHostileAsync() => HostilePeer.ConnectAsync(Victim);

        /// <summary>The victim closed the hostile connection within the deadline.</summary>
        public static async Task AssertClosedAsync(HostilePeer hostile) =>
            Assert.True(await hostile.WaitUntilClosedAsync(CloseDeadline), "The victim did not close the hostile connection.");

        /// <summary>Waits for one victim log line that contains all of <paramref name="texts"/>, and returns it.</summary>
        public async Task<string> AssertLoggedAsync(params string[] texts)
        {
            var deadline = DateTime.UtcNow + CloseDeadline;
            while (DateTime.UtcNow < deadline)
            {
                var line = Victim.Logs.Lines.FirstOrDefault(l => texts.All(t => l.Contains(t, StringComparison.OrdinalIgnoreCase)));
                if (line is not null)
                {
                    return line;
                }

                await Task.Delay(20);
            }

            Assert.Fail($"No victim log line contains all of [{string.Join(", ", texts)}]. Lines:\n{string.Join('\n', Victim.Logs.Lines)}");
            return "";
        }

        /// <summary>The good peer still pings and echoes on its old connection, and a new peer can still connect.</summary>
        public async Task AssertHealthyAsync()
        {
            Assert.False(GoodConnection.Completion.IsCompleted, "The good peer's connection ended.");
            await Good.Ping.PingAsync(GoodConnection, TimeSpan.FromSeconds(3));
            byte[] payload = [.. Enumerable.Range(0, 4096).Select(i => (byte)i)];
            Assert.Equal(payload, await TestNode.EchoOverAsync(GoodConnection, payload));

            await using var newcomer = await TestNode.StartAsync();
            var connection = await newcomer.DialAsync(Victim);
            await newcomer.Ping.PingAsync(connection, TimeSpan.FromSeconds(3));
        }

        public async ValueTask DisposeAsync()
        {
            await Good.DisposeAsync();
            await Victim.DisposeAsync();
        }
    }
}
