using System.CommandLine;
using System.Net;
using Quids.Network;
using Quids.Network.Core;

namespace Quids.Cli.Commands;

/// <summary>
/// <c>quids node</c>: runs one node until Ctrl+C or SIGTERM, printing its listen addresses, each peer that
/// connects or disconnects, and each message it receives, one line each.
/// </summary>
internal static class NodeCommand
{
    public static Command Create(CliConsole console)
    {
        var port = CliOptions.Int("--port", "TCP port to listen on; 0 picks a free port.", 8080, 0, 65535);
        var bind = new Option<string>("--bind")
        {
            Description = "Address to listen on: IPv4 or IPv6; :: listens on both.",
            DefaultValueFactory = _ => "0.0.0.0",
        };
        bind.Validators.Add(r =>
        {
            if (!IPAddress.TryParse(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError($"--bind must be an IPv4 or IPv6 address, not '{r.GetValueOrDefault<string>()}'.");
            }
        });
        var key = new Option<FileInfo?>("--key")
        {
            Description = "File with the node's Ed25519 identity key (created if missing), so the peer id survives restarts.",
        };
        var bootstrap = new Option<Multiaddress[]>("--bootstrap")
        {
            Description = "A peer to connect to and keep connected (multiaddress or host:port); repeat for more.",
            CustomParser = r => [.. r.Tokens.Select(t => PeerAddress.TryParse(t.Value, out var a, out var e) ? a : Error(r, e))],
            DefaultValueFactory = _ => [],
        };
        var maxConnections = CliOptions.Int("--max-connections", "Most peer connections, inbound and outbound together.", 100, 1, 100_000);
        var perf = new Option<bool>("--perf") { Description = "Serve /perf/1.0.0 so that peers can measure throughput (quids perf); off by default." };
        var mdns = new Option<bool>("--mdns")
        {
            Description = "Find peers on the local network with mDNS (multicast on every interface; off unless asked).",
        };
        var mdnsLoopback = new Option<bool>("--mdns-loopback")
        {
            Description = "With --mdns: announce and listen on loopback interfaces only, so nothing leaves this machine.",
        };
        var command = new Command("node", "Run a node until Ctrl+C, printing peers and received messages.")
        {
            port, bind, key, bootstrap, maxConnections, perf, mdns, mdnsLoopback,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = new P2PNodeOptions
            {
                Port = result.GetValue(port),
                BindAddress = result.GetValue(bind)!,
                IdentityKeyFile = result.GetValue(key)?.FullName,
                MaxConnections = result.GetValue(maxConnections),
                EnablePerfServer = result.GetValue(perf),
                EnableMdns = result.GetValue(mdns),
                Mdns = new Quids.Network.Protocols.Mdns.MdnsOptions { LoopbackOnly = result.GetValue(mdnsLoopback) },
            };
            foreach (var peer in result.GetValue(bootstrap) ?? [])
            {
                options.BootstrapPeers.Add(peer);
            }

            return RunAsync(console, options, cancellationToken);
        });
        return command;
    }

    private static Multiaddress Error(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null!;
    }

    private static async Task<int> RunAsync(CliConsole console, P2PNodeOptions options, CancellationToken cancellationToken)
    {
        P2PNode node;
        try
        {
            node = new P2PNode(options);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return console.Fail("node", $"cannot load the identity key {options.IdentityKeyFile}: {CliConsole.Describe(e)}");
        }

        await using (node)
        {
            node.PeerConnected += (_, e) =>
                console.Line($"connected {e.Connection.PeerId} {Endpoint(e.Connection)} ({e.Connection.Direction.ToString().ToLowerInvariant()})");
            node.PeerDisconnected += (_, e) =>
                console.Line($"disconnected {e.Connection.PeerId} {Endpoint(e.Connection)}{(e.Error is null ? string.Empty : ": " + CliConsole.Describe(e.Error))}");
            node.RegisterMessageHandler((peer, message) =>
                console.Line($"message from {peer.PeerId}: {MessageText.Describe(message.Span)}"));
            try
            {
                await node.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or ArgumentException)
            {
                return console.Fail("node", $"cannot listen on {options.BindAddress}:{options.Port}: {CliConsole.Describe(e)}");
            }

            foreach (var address in node.ListenAddresses)
            {
                console.Line($"listening {address}");
            }

            if (options.EnableMdns)
            {
                console.Line(node.IsMdnsRunning ? "mdns on" : "mdns could not start (no multicast interface); running without it");
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: the normal way out.
            }

            console.Line("stopping");
            await node.StopAsync(cancellationToken: CancellationToken.None);
            console.Line("stopped");
        }

        return 0;
    }

    private static string Endpoint(P2PConnection connection) =>
        connection.Address.Contains(':', StringComparison.Ordinal) ? $"[{connection.Address}]:{connection.Port}" : $"{connection.Address}:{connection.Port}";
}
