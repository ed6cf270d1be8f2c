using Quids.Network.Core;
using Quids.Network.Protocols.Mdns;
using Quids.Network.Protocols.Mdns.Wire;

namespace Quids.Network.Tests.Protocols.Mdns;

public sealed class MdnsProtocolTests
{
    private static readonly PeerId Remote = PeerId.Parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
    private static readonly PeerId Local = PeerId.Parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");

    [Fact]
    public void The_query_is_a_ptr_question_for_the_libp2p_service_in_js_libp2p_bytes()
    {
        Assert.Equal(DnsReaderTests.Query, MdnsProtocol.BuildQuery());
    }

    [Fact]
    public void Reads_the_peer_and_its_addresses_from_a_response()
    {
        Assert.True(DnsReader.TryRead(DnsReaderTests.Response(), out DnsMessage? message, out _));
        var problems = new List<string>();

        MdnsAnnouncement found = Assert.Single(MdnsProtocol.ReadAnnouncements(message!, "mine", Local, problems));

        Assert.Equal("abc", found.PeerName);
        Assert.Equal(Remote, found.PeerId);
        Assert.Equal([Multiaddress.Parse("/ip4/192.168.1.5/tcp/4001")], found.Addresses);
        Assert.Empty(problems);
    }

    [Fact]
    public void Our_response_round_trips_with_one_txt_record_per_address()
    {
        byte[] bytes = MdnsProtocol.BuildResponse("peer1", Remote, [Multiaddress.Parse("/ip4/10.0.0.7/tcp/4001"), Multiaddress.Parse("/ip6/fe80::1/tcp/4001")])!;

        Assert.True(DnsReader.TryRead(bytes, out DnsMessage? message, out string? error), error);
        Assert.Equal(DnsMessage.ResponseFlag | DnsMessage.AuthoritativeFlag, message!.Flags);
        Assert.Equal(["_p2p._udp.local"], message.Answers.Where(r => r.Type == DnsRecordType.Ptr).Select(r => r.Name));
        Assert.Equal(
            [$"dnsaddr=/ip4/10.0.0.7/tcp/4001/p2p/{Remote}", $"dnsaddr=/ip6/fe80::1/tcp/4001/p2p/{Remote}"],
            message.Answers.Where(r => r.Type == DnsRecordType.Txt).SelectMany(r => r.Text!));
        MdnsAnnouncement found = Assert.Single(MdnsProtocol.ReadAnnouncements(message, "other", Local, []));
        Assert.Equal(2, found.Addresses.Count);
    }

    [Fact]
    public void Unspecified_addresses_are_not_announced_and_none_left_means_no_answer()
    {
        Assert.Null(MdnsProtocol.BuildResponse("peer1", Remote, [Multiaddress.Parse("/ip4/0.0.0.0/tcp/4001"), Multiaddress.Parse("/ip6/::/tcp/4001")]));
    }

    [Fact]
    public void The_answer_stays_under_the_message_limit_with_many_long_addresses()
    {
        var addresses = Enumerable.Range(0, 100).Select(i => Multiaddress.Parse($"/ip6/fe80::{i:x}/tcp/{4000 + i}/ws")).ToList();

        byte[] bytes = MdnsProtocol.BuildResponse(new string('a', 63), Remote, addresses)!;

        Assert.True(bytes.Length <= MdnsProtocol.MaxMessageSize);
        Assert.True(DnsReader.TryRead(bytes, out DnsMessage? message, out _));
        Assert.Equal(MdnsProtocol.MaxAnnouncedAddresses + 1, message!.Answers.Count);
    }

    [Fact]
    public void Our_own_answer_is_ignored_by_peer_name_and_by_peer_id()
    {
        Assert.True(DnsReader.TryRead(MdnsProtocol.BuildResponse("me", Local, [Multiaddress.Parse("/ip4/10.0.0.7/tcp/1")])!, out DnsMessage? message, out _));

        Assert.Empty(MdnsProtocol.ReadAnnouncements(message!, "ME", Remote, []));
        Assert.Empty(MdnsProtocol.ReadAnnouncements(message!, "someone-else", Local, []));
    }

    [Fact]
    public void A_goodbye_with_ttl_zero_announces_nobody()
    {
        var message = new DnsMessage
        {
            Flags = DnsMessage.ResponseFlag,
            Answers =
            [
                DnsRecord.Ptr(MdnsProtocol.ServiceName, "x._p2p._udp.local", 0),
                DnsRecord.Txt("x._p2p._udp.local", [$"dnsaddr=/ip4/10.0.0.7/tcp/1/p2p/{Remote}"], 0),
            ],
        };

        Assert.Empty(MdnsProtocol.ReadAnnouncements(message, "me", Local, []));
    }

    [Fact]
    public void Txt_records_in_the_additional_section_count_as_go_libp2p_sends_them()
    {
        var message = new DnsMessage
        {
            Flags = DnsMessage.ResponseFlag,
            Answers = [DnsRecord.Ptr(MdnsProtocol.ServiceName, "X._p2p._udp.local", 120)],
            Additionals =
            [
                DnsRecord.Txt("x._P2P._udp.local", [$"dnsaddr=/ip4/10.0.0.7/tcp/1/p2p/{Remote}", $"dnsaddr=/ip4/10.0.0.8/udp/1/quic-v1/p2p/{Remote}"], 120),
                DnsRecord.Txt("y._p2p._udp.local", [$"dnsaddr=/ip4/10.9.9.9/tcp/1/p2p/{Remote}"], 120),
            ],
        };

        MdnsAnnouncement found = Assert.Single(MdnsProtocol.ReadAnnouncements(message, "me", Local, []));

        Assert.Equal(["/ip4/10.0.0.7/tcp/1", "/ip4/10.0.0.8/udp/1/quic-v1"], found.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void Addresses_of_a_second_peer_or_without_a_peer_id_are_dropped_with_a_reason()
    {
        var message = new DnsMessage
        {
            Flags = DnsMessage.ResponseFlag,
            Answers =
            [
                DnsRecord.Ptr(MdnsProtocol.ServiceName, "x._p2p._udp.local", 120),
                DnsRecord.Txt("x._p2p._udp.local", [$"dnsaddr=/ip4/10.0.0.7/tcp/1/p2p/{Remote}", $"dnsaddr=/ip4/10.0.0.8/tcp/1/p2p/{Local}", "dnsaddr=/ip4/10.0.0.9/tcp/1", "dnsaddr=garbage", "other=1"], 120),
            ],
        };
        var problems = new List<string>();

        MdnsAnnouncement found = Assert.Single(MdnsProtocol.ReadAnnouncements(message, "me", Local, problems));

        Assert.Equal([Multiaddress.Parse("/ip4/10.0.0.7/tcp/1")], found.Addresses);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("two peers", StringComparison.Ordinal));
    }

    [Fact]
    public void A_response_without_dnsaddr_is_reported_as_unusable()
    {
        var message = new DnsMessage { Flags = DnsMessage.ResponseFlag, Answers = [DnsRecord.Ptr(MdnsProtocol.ServiceName, "x._p2p._udp.local", 120)] };
        var problems = new List<string>();

        Assert.Empty(MdnsProtocol.ReadAnnouncements(message, "me", Local, problems));
        Assert.Contains("no dnsaddr", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Queries_for_other_services_are_not_peer_queries()
    {
        Assert.False(MdnsProtocol.IsPeerQuery(new DnsMessage { Questions = [new DnsQuestion("_http._tcp.local", DnsRecordType.Ptr)] }));
        Assert.True(MdnsProtocol.IsPeerQuery(new DnsMessage { Questions = [new DnsQuestion("_printer._tcp.local", DnsRecordType.Ptr), new DnsQuestion("_P2P._udp.local", DnsRecordType.Any, true)] }));
    }

    [Fact]
    public void Peer_names_are_random_single_labels()
    {
        string first = MdnsProtocol.NewPeerName();

        Assert.Equal(MdnsProtocol.PeerNameLength, first.Length);
        Assert.True(first.All(char.IsAsciiLetterOrDigit));
        Assert.NotEqual(first, MdnsProtocol.NewPeerName());
    }
}
