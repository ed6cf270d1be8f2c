using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Quids.Network.Core;
using Quids.Network.Network;
using Quids.Network.Protocols.Perf;

namespace Quids.Network.Harness;

/// <summary>
/// The serving process: a bare <see cref="Swarm"/> (perf, echo, control) and a <see cref="P2PNode"/> (messages,
/// ping). Runs until killed.
/// </summary>
internal static class HarnessServer
{
    public const string EchoProtocol = "/quids/bench/echo/1.0.0";

    /// <summary>Control stream: the client writes "rss\n", the server answers "&lt;VmRSS KiB&gt; &lt;connections&gt;\n".</summary>
    public const string ControlProtocol = "/quids/bench/ctl/1.0.0";

    public const int MessageSize = 64;

    /// <summary>Far above the 5000 idle connections of the memory test; the fd limit (20000 here) binds first.</summary>
    private const int MaxConnections = 100_000;

    private static long s_messages;

    public static async Task<int> RunAsync(HarnessArgs args)
    {
        using var identity = IdentityKeyPair.Generate();
        var host = new HostOptions
        {
            Identity = identity,
            MaxConnections = MaxConnections,
            // The setup test dials from several workers at once; the default 64 would refuse some.
            MaxPendingInbound = 1024,
        };
        host.ListenAddresses.Add(Multiaddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, args.Port)));
        await using var swarm = new Swarm(host);
        _ = new PerfService(swarm, new PerfOptions { ServerEnabled = true });
        swarm.SetStreamHandler(EchoProtocol, (s, ct) => EchoAsync(s.Stream, ct));
        swarm.SetStreamHandler(ControlProtocol, (s, ct) => ControlAsync(s.Stream, swarm, ct));
        await swarm.StartAsync();

        await using var node = new P2PNode(new P2PNodeOptions { Port = 0, BindAddress = "127.0.0.1", MaxConnections = 1000 });
        node.RegisterMessageHandler(async (peer, message) =>
        {
            if (message.Length == MessageSize)
            {
                Interlocked.Increment(ref s_messages);
                return;
            }

            // Any other length marks the end of a run: report the count to the sender and start over.
            var reply = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(reply, Interlocked.Exchange(ref s_messages, 0));
            await node.SendMessageToPeerAsync(peer.PeerId, reply);
        });
        await node.StartAsync();

        Console.WriteLine($"LISTENING swarm {swarm.ListenAddresses[0].WithPeerId(swarm.LocalPeerId)}");
        Console.WriteLine($"LISTENING floor {AeadFloor.Listen()}");
        Console.WriteLine($"LISTENING node {node.ListenAddresses[0]}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static async Task EchoAsync(IDuplexPipe stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await stream.Input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            while (buffer.Length >= MessageSize)
            {
                var message = buffer.Slice(0, MessageSize);
                foreach (var segment in message)
                {
                    stream.Output.Write(segment.Span);
                }

                buffer = buffer.Slice(MessageSize);
            }

            stream.Input.AdvanceTo(buffer.Start, buffer.End);
            await stream.Output.FlushAsync(cancellationToken);
            if (result.IsCompleted)
            {
                await stream.Output.CompleteAsync();
                return;
            }
        }
    }

    private static async Task ControlAsync(IDuplexPipe stream, Swarm swarm, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream.Input.AsStream(), Encoding.ASCII);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == "rss")
            {
                var answer = string.Create(CultureInfo.InvariantCulture, $"{Measure.ResidentKib()} {swarm.Connections.Count}\n");
                await stream.Output.WriteAsync(Encoding.ASCII.GetBytes(answer), cancellationToken);
            }
        }

        await stream.Output.CompleteAsync();
    }
}
