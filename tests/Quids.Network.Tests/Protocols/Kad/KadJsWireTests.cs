using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Protocols.Kad;
using Quids.Network.Protocols.Kad.Wire;

namespace Quids.Network.Tests.Protocols.Kad;

// Messages exactly as @libp2p/kad-dht 16.4.5 encodes them (bytes produced with its own Message codec).
public class KadJsWireTests
{
    private const string JsPeer = "12D3KooWRsyyRj1P6sJFw3tDehJWpYX8mmUNMuCtuQupYWD4mVrs";

    // ADD_PROVIDER: 08 02 type; 12 22 key = sha2-256 multihash of 0x11 * 32; 4a 5b providers = Peer { 0a 26 id,
    // 12 31 /ip4/127.0.0.1/tcp/4001/p2p/<id> }; no connection field (js leaves its optional field out).
    private const string JsAddProvider =
        "0802" + "1222" + "1220" + "1111111111111111111111111111111111111111111111111111111111111111"
        + "4a5b" + "0a26" + "002408011220eea837cb722e8a55c98d836639663e568ef3fa5aef49a17aa173d104a77c428c"
        + "1231" + "047f000001" + "060fa1" + "a50326" + "002408011220eea837cb722e8a55c98d836639663e568ef3fa5aef49a17aa173d104a77c428c";

    // PUT_VALUE: no type field (PUT_VALUE = 0, proto3); 12 08 key "/quids/k"; 1a 2d record = js's Libp2pRecord
    // { 0a 08 key, 12 01 "v", 2a 1e timeReceived "2026-11-24T04:17:01.123000000Z" }.
    private const string JsPutValue =
        "1208" + "2f71756964732f6b" + "1a2d" + "0a08" + "2f71756964732f6b" + "120176"
        + "2a1e" + "323032362d31312d32345430343a31373a30312e3132333030303030305a";

    [Fact]
    public async Task Stores_a_js_PUT_VALUE_and_echoes_it_byte_for_byte_as_js_checks()
    {
        await using var node = await KadTestNode.StartAsync();
        byte[] wire = Convert.FromHexString(JsPutValue);

        var answer = node.Kad.Answer(PeerId.Parse(JsPeer), KadMessage.Parser.ParseFrom(wire));

        Assert.NotNull(answer);
        Assert.Equal(wire, answer.ToByteArray());
        Assert.True(node.Kad.Records.TryGet("/quids/k"u8, out var value, out _));
        Assert.Equal("v"u8.ToArray(), value);
    }

    [Fact]
    public async Task Stores_a_js_provider_address_without_the_p2p_suffix_js_puts_on_it()
    {
        await using var node = await KadTestNode.StartAsync();
        var request = KadMessage.Parser.ParseFrom(Convert.FromHexString(JsAddProvider));

        Assert.Null(node.Kad.Answer(PeerId.Parse(JsPeer), request));

        var provider = Assert.Single(node.Kad.Providers.Get(request.Key.Span));
        Assert.Equal(PeerId.Parse(JsPeer), provider.PeerId);
        Assert.Equal([Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")], provider.Addresses);
    }

    [Fact]
    public async Task Keeps_one_address_when_a_peer_is_known_with_and_without_the_p2p_suffix()
    {
        await using var node = await KadTestNode.StartAsync();
        var peer = PeerId.Parse(JsPeer);
        var bare = Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001");

        node.Kad.AddPeer(peer, [bare.WithPeerId(peer), bare]);

        Assert.Equal([bare], Assert.Single(node.Kad.RoutingTablePeers).Addresses);
    }

    [Fact]
    public async Task Keeps_the_p2p_suffix_of_a_relayed_address()
    {
        await using var node = await KadTestNode.StartAsync();
        var peer = PeerId.Parse(JsPeer);
        var relayed = Multiaddress.Parse("/ip4/192.0.2.1/tcp/4001/p2p/12D3KooWBGSBavk9yzgYCaUVqRHq2X1vKoF7r7RUGrWk8Qm8xgif/p2p-circuit").WithPeerId(peer);

        node.Kad.AddPeer(peer, [relayed]);

        Assert.Equal([relayed], Assert.Single(node.Kad.RoutingTablePeers).Addresses);
    }
}
