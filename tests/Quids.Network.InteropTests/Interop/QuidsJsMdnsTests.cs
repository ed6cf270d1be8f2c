using Quids.Network.Core;
using Quids.Network.InteropTests.JsLibp2p;
using Quids.Network.Network;
using Quids.Network.Protocols.Mdns;
using Quids.Network.Tests.Support;
using Xunit.Abstractions;

namespace Quids.Network.InteropTests.Interop;

// mDNS between js-libp2p (@libp2p/mdns) and a Quids P2PNode, both inside one private network namespace where
// multicast on lo works (the host's lo has no MULTICAST flag). The js process runs under `ip netns exec`; the
// Quids node's listener and mDNS sockets are created on a thread inside the namespace, so js can dial it. The
// Quids node's own dial of js fails (refused): its outgoing sockets are made on pool threads, in the host's
// namespace, where js's 127.0.0.1 listener is not; hence the connection is checked in js's direction.
public sealed class QuidsJsMdnsTests(ITestOutputHelper output)
{
    private const int TestTimeoutMs = 60_000;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_and_quids_discover_each_other_with_mdns_and_js_dials_the_announced_address()
    {
        // No skip: a host where the namespace cannot be built fails here with the ip command's output.
        using var ns = NetworkNamespace.Create();
        await using var js = await JsPeer.StartAsync(new JsPeerOptions
        {
            Mdns = true,
            CommandPrefix = ["ip", "netns", "exec", ns.Name],
            Log = line => Log($"js: {line}"),
        });

        var discovered = new TaskCompletionSource<IReadOnlyList<Multiaddress>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var jsId = PeerId.Parse(js.PeerId);
        using var logs = new LogCapture();
        var node = new P2PNode(
            new P2PNodeOptions
            {
                Port = 0,
                BindAddress = "127.0.0.1",
                EnableMdns = true,
                EnableDht = false,
                Mdns = new MdnsOptions { QueryInterval = TimeSpan.FromMilliseconds(300), MinAnswerInterval = TimeSpan.Zero, UseIPv6 = false },
            },
            logs)
        {
            MdnsStartRunner = start => ns.Run(start),
        };
        await using (node)
        try
        {
            // The listener is bound before StartAsync first awaits, so on this namespace thread.
            await ns.Run(() => node.StartAsync());
            Assert.True(node.IsMdnsRunning, "the Quids node's mDNS did not start inside the namespace");

            // js -> Quids: js's mdns reports our peer id with our announced address.
            var jsSaw = await js.WaitForEventAsync("peer:discovery", node.PeerId.ToString(), Wait);
            var addrs = jsSaw.GetProperty("addrs").EnumerateArray().Select(a => a.GetString()!).ToList();
            Assert.Contains(addrs, a => a.StartsWith($"/ip4/127.0.0.1/tcp/{node.ListenAddresses[0].Components[1].Value}", StringComparison.Ordinal));

            // Quids -> js: js's answer lands in the address book as an mDNS address.
            await EventuallyAsync(
                () => (node.AddressBook!.Get(jsId)?.Sources ?? AddressSource.None).HasFlag(AddressSource.Mdns),
                "the js peer is in the Quids address book from mDNS");

            // The address js learned is usable: js dials it and the Quids node sees the js peer connected.
            var address = addrs.First(a => a.StartsWith("/ip4/127.0.0.1/", StringComparison.Ordinal));
            Assert.Equal(node.PeerId.ToString(), await js.DialAsync(address.Contains("/p2p/", StringComparison.Ordinal) ? address : $"{address}/p2p/{node.PeerId}"));
            await EventuallyAsync(() => node.Connections.Any(c => jsId.Equals(c.PeerId)), "the Quids node is connected to the js peer");
        }
        finally
        {
            foreach (var line in logs.Lines)
            {
                Log($"quids: {line}");
            }
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(20);
        }
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; late log lines have nowhere to go.
        }
    }
}
