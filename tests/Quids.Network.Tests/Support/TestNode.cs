using System.IO.Pipelines;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Protocols.Identify;
using Quids.Network.Protocols.Ping;

namespace Quids.Network.Tests.Support;

/// <summary>A node of the connection layer on loopback: swarm, ping, identify, an echo protocol, captured logs.</summary>
public sealed class TestNode : IAsyncDisposable
{
    public const string EchoProtocol = "/quids/echo/1.0.0";

    private TestNode(Swarm swarm, LogCapture logs)
    {
        Swarm = swarm;
        Logs = logs;
        Ping = new PingService(swarm);
        Identify = new IdentifyService(swarm);
        swarm.SetStreamHandler(EchoProtocol, EchoAsync);
    }

    internal Swarm Swarm { get; }

    internal PingService Ping { get; }

    internal IdentifyService Identify { get; }

    public LogCapture Logs { get; }

    public PeerId PeerId => Swarm.LocalPeerId;

    /// <summary>The first listen address, with /p2p/.</summary>
    public Multiaddress Address => Swarm.ListenAddresses[0].WithPeerId(PeerId);

    internal static async Task<TestNode> StartAsync(string listen = "/ip4/127.0.0.1/tcp/0", Action<HostOptions>? configure = null)
    {
        var options = new HostOptions { Identity = IdentityKeyPair.Generate(), AgentVersion = "quids-test/1.0" };
        options.ListenAddresses.Add(Multiaddress.Parse(listen));
        configure?.Invoke(options);
        var logs = new LogCapture();
        var node = new TestNode(new Swarm(options, logs), logs);
        await node.Swarm.StartAsync();
        return node;
    }

    internal Task<NetworkConnection> DialAsync(TestNode other) => Swarm.DialAsync(other.Address);

    internal async Task<NetworkConnection> WaitForConnectionAsync(PeerId peer, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (Swarm.FindConnection(peer) is { } connection)
            {
                return connection;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"{PeerId} has no connection to {peer}.");
    }

    public async ValueTask DisposeAsync()
    {
        await Swarm.DisposeAsync();
        Swarm.Options.Identity!.Dispose();
    }

    private static async Task EchoAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        var stream = incoming.Stream;
        await stream.Input.CopyToAsync(stream.Output, cancellationToken);
        await stream.CloseWriteAsync();
    }

    /// <summary>Sends <paramref name="payload"/> on an echo stream while reading the echo; returns what came back.</summary>
    internal static async Task<byte[]> EchoOverAsync(NetworkConnection connection, byte[] payload)
    {
        var stream = await connection.OpenStreamAsync(EchoProtocol, TimeSpan.FromSeconds(10));
        await using (stream)
        {
            var send = Task.Run(async () =>
            {
                for (int offset = 0; offset < payload.Length; offset += 64 * 1024)
                {
                    await stream.Output.WriteAsync(payload.AsMemory(offset, Math.Min(64 * 1024, payload.Length - offset)));
                }

                await stream.CloseWriteAsync();
            });
            using var received = new MemoryStream();
            await stream.Input.CopyToAsync(received);
            await send;
            return received.ToArray();
        }
    }
}
