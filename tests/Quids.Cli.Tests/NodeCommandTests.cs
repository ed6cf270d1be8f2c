using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Quids.Network.Core;

namespace Quids.Cli.Tests;

public sealed class NodeCommandTests
{
    [Fact]
    public async Task Node_prints_its_listen_address_and_stops_cleanly_on_cancel()
    {
        await using var node = await RunningNode.StartAsync();

        Assert.InRange(node.Port, 1, 65535);
        Assert.Equal(0, await node.StopAsync());
        Assert.Contains("stopped", node.Out.Lines);
        Assert.Empty(node.Err.Text);
    }

    [Fact]
    public async Task Send_delivers_a_message_that_the_node_prints()
    {
        await using var node = await RunningNode.StartAsync();
        var output = new LineWriter();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["send", node.Address, "hello, quids"], output, error);

        Assert.True(exit == 0, error.Text);
        Assert.Equal($"sent 12 bytes to {node.PeerId}", Assert.Single(output.Lines));
        await node.Out.WaitForLineAsync(l => Regex.IsMatch(l, @"^message from 12D3KooW\w+: hello, quids$"), "with the message");
        await node.Out.WaitForLineAsync(l => l.StartsWith("connected 12D3KooW", StringComparison.Ordinal) && l.EndsWith("(inbound)", StringComparison.Ordinal), "for the connection");
    }

    [Fact]
    public async Task Send_accepts_host_and_port()
    {
        await using var node = await RunningNode.StartAsync();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["send", $"127.0.0.1:{node.Port}", "by host and port"], new LineWriter(), error);

        Assert.True(exit == 0, error.Text);
        await node.Out.WaitForLineAsync(l => l.EndsWith(": by host and port", StringComparison.Ordinal), "with the message");
    }

    [Fact]
    public async Task Ping_prints_each_round_trip_time_and_a_summary()
    {
        await using var node = await RunningNode.StartAsync();
        var output = new LineWriter();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["ping", node.Address, "--count", "3", "--interval", "0"], output, error);

        Assert.True(exit == 0, error.Text);
        var pings = output.Lines.Where(l => l.StartsWith("ping ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pings.Count);
        Assert.All(pings, l => Assert.Matches($@"^ping {node.PeerId}: time=\d+\.\d{{3}} ms$", l));
        Assert.Matches(@"^3 of 3 pings answered, rtt min/avg/max = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms$", output.Lines[^1]);
    }

    [Fact]
    public async Task Node_connects_to_its_bootstrap_peer()
    {
        await using var first = await RunningNode.StartAsync();
        await using var second = await RunningNode.StartAsync("--bootstrap", first.Address);

        await second.Out.WaitForLineAsync(l => l.StartsWith($"connected {first.PeerId} 127.0.0.1:{first.Port} (outbound)", StringComparison.Ordinal), "for the bootstrap");
        await first.Out.WaitForLineAsync(l => l.StartsWith($"connected {second.PeerId} ", StringComparison.Ordinal), "for the inbound peer");
    }

    [Fact]
    public async Task Node_with_mdns_says_whether_mdns_started_and_keeps_running()
    {
        // Loopback only: a test must not multicast beyond this machine.
        await using var node = await RunningNode.StartAsync("--mdns", "--mdns-loopback");

        // This host's eth0 may carry multicast or not: either way the node says so and keeps running.
        await node.Out.WaitForLineAsync(l => l is "mdns on" || l.StartsWith("mdns could not start", StringComparison.Ordinal), "for the mdns line");
        Assert.False(node.Exit.IsCompleted);
    }

    [Fact]
    public async Task Send_to_a_closed_port_fails_with_one_clear_line()
    {
        int port = ClosedPort();
        var output = new LineWriter();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["send", $"127.0.0.1:{port}", "nobody there"], output, error);

        Assert.Equal(Program.Failure, exit);
        Assert.Empty(output.Text);
        var line = Assert.Single(error.Lines);
        Assert.StartsWith("quids send: ", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Send_to_the_wrong_peer_id_fails_naming_both_ids()
    {
        await using var node = await RunningNode.StartAsync();
        using var other = IdentityKeyPair.Generate();
        var error = new LineWriter();

        int exit = await Program.RunAsync(["send", $"/ip4/127.0.0.1/tcp/{node.Port}/p2p/{other.PeerId}", "for someone else"], new LineWriter(), error);

        Assert.Equal(Program.Failure, exit);
        var line = Assert.Single(error.Lines);
        Assert.StartsWith("quids send: ", line, StringComparison.Ordinal);
        Assert.Contains(other.PeerId.ToString(), line, StringComparison.Ordinal);
        Assert.Contains(node.PeerId, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_on_a_port_in_use_fails_with_one_clear_line()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var error = new LineWriter();

        int exit = await Program.RunAsync(["node", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1"], new LineWriter(), error);

        Assert.Equal(Program.Failure, exit);
        Assert.StartsWith($"quids node: cannot listen on 127.0.0.1:{port}: ", Assert.Single(error.Lines), StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
