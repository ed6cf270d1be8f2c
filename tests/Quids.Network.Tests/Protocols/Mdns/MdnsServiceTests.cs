using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Quids.Network.Core;
using Quids.Network.Protocols.Mdns;
using Quids.Network.Tests.Support;

namespace Quids.Network.Tests.Protocols.Mdns;

/// <summary>
/// Real multicast on 224.0.0.251:5353, inside a private network namespace (see <see cref="NetworkNamespace"/>):
/// the host's own <c>lo</c> has no MULTICAST flag here, and its other interfaces lead off the machine.
/// </summary>
public sealed class MdnsServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static MdnsOptions FastOptions() => new()
    {
        // No timer: discovery must come from the start queries and the answers to them alone.
        QueryInterval = Timeout.InfiniteTimeSpan,
        MinAnswerInterval = TimeSpan.Zero,
    };

    [Fact]
    public async Task Two_services_on_one_host_discover_each_other_and_never_themselves()
    {
        using var ns = NetworkNamespace.Create();
        PeerId a = IdentityKeyPair.Generate().PeerId;
        PeerId b = IdentityKeyPair.Generate().PeerId;
        var seenByA = new ConcurrentQueue<(PeerId, IReadOnlyList<Multiaddress>)>();
        var seenByB = new ConcurrentQueue<(PeerId, IReadOnlyList<Multiaddress>)>();
        var aFoundB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bFoundA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var serviceA = new MdnsService(a, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")], FastOptions());
        await using var serviceB = new MdnsService(b, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002"), Multiaddress.Parse("/ip4/0.0.0.0/tcp/4002")], FastOptions());
        serviceA.PeerDiscovered += (peer, addresses) =>
        {
            seenByA.Enqueue((peer, addresses));
            if (peer == b)
            {
                aFoundB.TrySetResult();
            }
        };
        serviceB.PeerDiscovered += (peer, addresses) =>
        {
            seenByB.Enqueue((peer, addresses));
            if (peer == a)
            {
                bFoundA.TrySetResult();
            }
        };

        await ns.Run(() => serviceA.StartAsync());
        await ns.Run(() => serviceB.StartAsync());
        await Task.WhenAll(aFoundB.Task, bFoundA.Task).WaitAsync(Wait);

        Assert.All(seenByA, s => Assert.Equal(b, s.Item1));
        Assert.All(seenByB, s => Assert.Equal(a, s.Item1));
        Assert.Equal([Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002")], seenByA.First().Item2);
        Assert.Equal([Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")], seenByB.First().Item2);
    }

    [Fact]
    public async Task Malformed_datagrams_are_dropped_with_a_reason_and_discovery_goes_on()
    {
        using var ns = NetworkNamespace.Create();
        using var logs = new LogCapture();
        PeerId a = IdentityKeyPair.Generate().PeerId;
        PeerId b = IdentityKeyPair.Generate().PeerId;
        var found = new TaskCompletionSource<IReadOnlyList<Multiaddress>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new MdnsService(a, () => [], FastOptions(), logger: logs.CreateLogger("mdns"));
        listener.PeerDiscovered += (peer, addresses) => found.TrySetResult(addresses);
        await ns.Run(() => listener.StartAsync());
        Assert.Contains(logs.Lines, l => l.Contains("224.0.0.251 via lo(127.0.0.1)", StringComparison.Ordinal));

        using Socket raw = ns.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
            return socket;
        });
        var group = new IPEndPoint(IPAddress.Parse("224.0.0.251"), 5353);
        raw.SendTo(Convert.FromHexString("000000000001000000000000c00c000c0001"), group);
        raw.SendTo(new byte[3], group);
        await logs.WaitForAsync("compression pointer", Wait);
        await logs.WaitForAsync("header cut off", Wait);

        await using var speaker = new MdnsService(b, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002")], FastOptions());
        await ns.Run(() => speaker.StartAsync());

        Assert.Equal([Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002")], await found.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_listener_without_broadcast_finds_peers_but_is_never_found()
    {
        using var ns = NetworkNamespace.Create();
        PeerId quiet = IdentityKeyPair.Generate().PeerId;
        PeerId loud = IdentityKeyPair.Generate().PeerId;
        var quietFoundLoud = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loudSaw = new ConcurrentQueue<PeerId>();
        var options = FastOptions();
        options.Broadcast = false;
        await using var quietService = new MdnsService(quiet, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4001")], options);
        await using var loudService = new MdnsService(loud, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002")], FastOptions());
        quietService.PeerDiscovered += (peer, _) => quietFoundLoud.TrySetResult();
        loudService.PeerDiscovered += (peer, _) => loudSaw.Enqueue(peer);

        await ns.Run(() => quietService.StartAsync());
        await ns.Run(() => loudService.StartAsync());
        await quietFoundLoud.Task.WaitAsync(Wait);
        await ns.Run(() => quietService.QueryAsync());
        await Task.Delay(200);

        Assert.Empty(loudSaw);
    }

    [Fact]
    public async Task Queries_again_every_interval_of_its_clock()
    {
        using var ns = NetworkNamespace.Create();
        var clock = new FakeTimeProvider();
        PeerId asker = IdentityKeyPair.Generate().PeerId;
        PeerId answerer = IdentityKeyPair.Generate().PeerId;
        var answers = Channel.CreateUnbounded<PeerId>();
        await using var answererService = new MdnsService(answerer, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002")], FastOptions());
        var askerOptions = FastOptions();
        askerOptions.QueryInterval = TimeSpan.FromSeconds(10);
        askerOptions.Broadcast = false;
        await using var askerService = new MdnsService(asker, () => [], askerOptions, clock);
        askerService.PeerDiscovered += (peer, _) => answers.Writer.TryWrite(peer);
        await ns.Run(() => answererService.StartAsync());
        await ns.Run(() => askerService.StartAsync());
        Assert.Equal(answerer, await answers.Reader.ReadAsync().AsTask().WaitAsync(Wait));

        // The answerer may also have answered its own start query after the asker's socket opened: let that pass.
        await Task.Delay(300);
        while (answers.Reader.TryRead(out _))
        {
        }

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(answerer, await answers.Reader.ReadAsync().AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Answers_at_most_once_per_min_answer_interval()
    {
        using var ns = NetworkNamespace.Create();
        var clock = new FakeTimeProvider();
        PeerId answerer = IdentityKeyPair.Generate().PeerId;
        PeerId listener = IdentityKeyPair.Generate().PeerId;
        var heard = Channel.CreateUnbounded<PeerId>();
        var options = FastOptions();
        options.MinAnswerInterval = TimeSpan.FromSeconds(1);
        await using var answererService = new MdnsService(answerer, () => [Multiaddress.Parse("/ip4/127.0.0.1/tcp/4002")], options, clock);
        var listenerOptions = FastOptions();
        listenerOptions.Broadcast = false;
        await using var listenerService = new MdnsService(listener, () => [], listenerOptions);
        listenerService.PeerDiscovered += (peer, _) => heard.Writer.TryWrite(peer);
        await ns.Run(() => listenerService.StartAsync());
        await ns.Run(() => answererService.StartAsync());
        Assert.Equal(answerer, await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait));

        await ns.Run(() => listenerService.QueryAsync());
        await ns.Run(() => listenerService.QueryAsync());
        await Task.Delay(200);
        Assert.False(heard.Reader.TryRead(out _), "answered again within the interval");

        clock.Advance(TimeSpan.FromSeconds(1));
        await ns.Run(() => listenerService.QueryAsync());

        Assert.Equal(answerer, await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait));
    }

    [Fact]
    public void Options_are_validated_when_the_service_is_made()
    {
        PeerId peer = IdentityKeyPair.Generate().PeerId;

        Assert.Throws<ArgumentOutOfRangeException>(() => new MdnsService(peer, () => [], new MdnsOptions { QueryInterval = TimeSpan.FromMilliseconds(1) }));
        Assert.Throws<ArgumentException>(() => new MdnsService(peer, () => [], new MdnsOptions { PeerName = "not.one.label" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MdnsService(peer, () => [], new MdnsOptions { Port = 0 }));
    }
}
