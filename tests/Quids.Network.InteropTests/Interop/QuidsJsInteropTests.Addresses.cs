using Quids.Network.Core;
using Quids.Network.Network;

namespace Quids.Network.InteropTests.Interop;

// Addresses beyond a single loopback listener: dual stack, and names instead of IPs.
public sealed partial class QuidsJsInteropTests
{
    [Fact(Timeout = TestTimeoutMs)]
    public async Task Js_reaches_a_dual_stack_Quids_node_over_IPv4_and_IPv6_and_learns_every_listen_address()
    {
        var quids = await StartQuidsAsync("/ip6/::/tcp/0");
        int port = int.Parse(quids.Address.ToString().Split('/')[4], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(quids.PeerId.ToString(), await Js.DialAsync($"/ip4/127.0.0.1/tcp/{port}/p2p/{quids.PeerId}"));
        var identify = await Js.IdentifyAsync(quids.PeerId.ToString());
        await Js.HangUpAsync(quids.PeerId.ToString());
        Assert.Equal(quids.PeerId.ToString(), await Js.DialAsync($"/ip6/::1/tcp/{port}/p2p/{quids.PeerId}"));

        Assert.Equal(
            quids.Swarm.ListenAddresses.Select(a => a.ToString()).Order(StringComparer.Ordinal),
            identify.ListenAddrs.Order(StringComparer.Ordinal));
        Assert.Contains($"/ip4/127.0.0.1/tcp/{port}", identify.ListenAddrs);
        Assert.Contains($"/ip6/::1/tcp/{port}", identify.ListenAddrs);
        var inbound = await quids.WaitForConnectionAsync(JsPeerId, Wait);
        Assert.Single(await Js.PingAsync(quids.PeerId.ToString()));
        Assert.Equal(ConnectionDirection.Inbound, inbound.Direction);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Quids_dials_js_by_a_dns4_name()
    {
        var quids = await StartQuidsAsync();
        var address = Multiaddress.Parse($"/dns4/localhost/tcp/{Js.Ip4Port}/p2p/{Js.PeerId}");

        var connection = await quids.Swarm.DialAsync(address);

        Assert.Equal(JsPeerId, connection.RemotePeerId);
        Assert.Equal($"/ip4/127.0.0.1/tcp/{Js.Ip4Port}", connection.RemoteAddress!.ToString());
        Assert.True(await quids.Ping.PingAsync(connection, Wait) > TimeSpan.Zero);
    }
}
