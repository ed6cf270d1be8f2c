using System.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Mdns;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Node;

/// <summary>
/// P2PNode with mDNS: the nodes listen on the host's loopback, their mDNS sockets are opened inside a private
/// network namespace (see <see cref="NetworkNamespace"/>) where multicast on <c>lo</c> works; the announced
/// 127.0.0.1 addresses are then dialed from the host, where the listeners are.
/// </summary>
public sealed class MdnsNodeTests
{
    [Fact]
    public async Task Two_nodes_with_mdns_and_no_bootstrap_connect_to_each_other()
    {
        using var ns = NetworkNamespace.Create();
        await using var a = await StartInAsync(ns);
        await using var b = await StartInAsync(ns);
        Assert.True(a.IsMdnsRunning && b.IsMdnsRunning, "mDNS should run inside the namespace");

        await NodeTests.EventuallyAsync(
            () => a.Connections.Any(c => b.PeerId.Equals(c.PeerId)) && b.Connections.Any(c => a.PeerId.Equals(c.PeerId)),
            "the two nodes are connected through mDNS");
        Assert.True((a.AddressBook!.Get(b.PeerId)?.Sources ?? AddressSource.None).HasFlag(AddressSource.Mdns), "a's book has b from mDNS");
        Assert.True((b.AddressBook!.Get(a.PeerId)?.Sources ?? AddressSource.None).HasFlag(AddressSource.Mdns), "b's book has a from mDNS");
    }

    [Fact]
    public async Task A_node_whose_mdns_cannot_start_runs_without_it()
    {
        using var ns = NetworkNamespace.Create();
        Ip($"-n {ns.Name} link set lo multicast off");
        await using var node = await StartInAsync(ns);

        Assert.True(node.IsRunning);
        Assert.False(node.IsMdnsRunning);
        Assert.NotEmpty(node.ListenAddresses);
    }

    [Fact]
    public void Mdns_is_off_by_default()
    {
        Assert.False(new P2PNodeOptions().EnableMdns);
    }

    private static async Task<P2PNode> StartInAsync(NetworkNamespace ns)
    {
        var node = new P2PNode(new P2PNodeOptions
        {
            Port = 0,
            BindAddress = "127.0.0.1",
            EnableMdns = true,
            EnableDht = false,
            Mdns = new MdnsOptions { QueryInterval = TimeSpan.FromMilliseconds(300), MinAnswerInterval = TimeSpan.Zero, UseIPv6 = false },
        })
        {
            MdnsStartRunner = start => ns.Run(start),
        };
        await node.StartAsync();
        return node;
    }

    private static void Ip(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"'ip {arguments}' failed: {process.StandardError.ReadToEnd()}");
    }
}
