using System.Net;
using System.Text;
using Quids.Network.Protocols.Mdns;
using Quids.Network.Protocols.Mdns.Wire;

namespace Quids.Network.Tests.Protocols.Mdns;

public sealed class DnsReaderTests
{
    private const string PeerId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    // A query for _p2p._udp.local PTR, as js-libp2p's multicast-dns sends it.
    internal static readonly byte[] Query = Convert.FromHexString(
        "0000" + "0000" + "0001" + "0000" + "0000" + "0000"
        + "045f703270" + "045f756470" + "056c6f63616c" + "00"
        + "000c" + "0001");

    // A response: PTR _p2p._udp.local -> abc._p2p._udp.local (compressed: "abc" then a pointer to offset 12),
    // then TXT at a pointer to "abc..." (offset 39) with one dnsaddr string, cache-flush bit set.
    internal static byte[] Response()
    {
        byte[] text = Encoding.ASCII.GetBytes("dnsaddr=/ip4/192.168.1.5/tcp/4001/p2p/" + PeerId);
        return
        [
            .. Convert.FromHexString("0000" + "8400" + "0000" + "0002" + "0000" + "0000"),
            .. Convert.FromHexString("045f703270045f756470056c6f63616c00" + "000c" + "0001" + "00000078" + "0006" + "03616263c00c"),
            .. Convert.FromHexString("c027" + "0010" + "8001" + "00000078"),
            0x00, (byte)(text.Length + 1), (byte)text.Length, .. text,
        ];
    }

    [Fact]
    public void Reads_a_query_for_the_libp2p_service()
    {
        Assert.True(DnsReader.TryRead(Query, out DnsMessage? message, out string? error), error);

        Assert.False(message!.IsResponse);
        DnsQuestion question = Assert.Single(message.Questions);
        Assert.Equal("_p2p._udp.local", question.Name);
        Assert.Equal(DnsRecordType.Ptr, question.Type);
        Assert.False(question.UnicastResponse);
        Assert.True(MdnsProtocol.IsPeerQuery(message));
    }

    [Fact]
    public void Reads_a_response_with_a_compressed_ptr_and_a_txt_record()
    {
        Assert.True(DnsReader.TryRead(Response(), out DnsMessage? message, out string? error), error);

        Assert.True(message!.IsResponse);
        Assert.Equal(2, message.Answers.Count);
        DnsRecord ptr = message.Answers[0];
        Assert.Equal(("_p2p._udp.local", DnsRecordType.Ptr, 120u, "abc._p2p._udp.local"), (ptr.Name, ptr.Type, ptr.Ttl, ptr.Target));
        DnsRecord txt = message.Answers[1];
        Assert.Equal(("abc._p2p._udp.local", DnsRecordType.Txt, true), (txt.Name, txt.Type, txt.CacheFlush));
        Assert.Equal(["dnsaddr=/ip4/192.168.1.5/tcp/4001/p2p/" + PeerId], txt.Text!);
    }

    [Fact]
    public void Reads_a_and_aaaa_records_and_skips_srv_data()
    {
        byte[] bytes = Convert.FromHexString(
            "0000840000000003" + "00000000"
            + "01680000010001" + "00000078" + "0004" + "c0a80105"
            + "016800001c0001" + "00000078" + "0010" + "fe800000000000000000000000000001"
            + "01680000210001" + "00000078" + "0008" + "0000000010e1c00c");

        Assert.True(DnsReader.TryRead(bytes, out DnsMessage? message, out string? error), error);

        Assert.Equal(IPAddress.Parse("192.168.1.5"), message!.Answers[0].Address);
        Assert.Equal(IPAddress.Parse("fe80::1"), message.Answers[1].Address);
        Assert.Equal(DnsRecordType.Srv, message.Answers[2].Type);
    }

    [Fact]
    public void Rejects_a_truncated_message_at_every_length()
    {
        byte[] response = Response();
        for (int length = 0; length < response.Length; length++)
        {
            Assert.False(DnsReader.TryRead(response.AsSpan(0, length), out DnsMessage? message, out string? error), $"length {length}");
            Assert.Null(message);
            Assert.StartsWith("mdns: ", error);
        }
    }

    [Fact]
    public void Rejects_a_compression_pointer_to_itself()
    {
        byte[] bytes = Convert.FromHexString("000000000001000000000000" + "c00c" + "000c0001");

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("compression pointer", error);
    }

    [Fact]
    public void Rejects_a_pointer_loop_through_a_label()
    {
        // Question name at 12: label "a", then a pointer back to 12: a -> a -> a ... forever.
        byte[] bytes = Convert.FromHexString("000000000001000000000000" + "0161c00c" + "000c0001");

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("compression pointer", error);
    }

    [Fact]
    public void Rejects_a_name_that_follows_too_many_compression_pointers()
    {
        // Answer 1 (root name at 12, SRV, skipped) carries 20 pointers as data, each to the one before it and
        // the first to the root name; answer 2's name points to the last: 21 jumps, each landing earlier.
        var chain = new List<byte>();
        for (int i = 0; i < 20; i++)
        {
            int target = i == 0 ? 12 : 23 + (2 * (i - 1));
            chain.AddRange([0xC0, (byte)target]);
        }

        byte[] bytes =
        [
            .. Convert.FromHexString("000084000000000200000000" + "00" + "0021" + "0001" + "00000078" + "0028"),
            .. chain,
            .. Convert.FromHexString("c03d" + "000c" + "0001" + "00000078" + "0001" + "00"),
        ];

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains($"more than {MdnsProtocol.MaxCompressionPointers} compression pointers", error);
    }

    [Fact]
    public void Rejects_a_label_with_the_reserved_length_bits()
    {
        // 0x40: a 64-byte label is not encodable, its top bits mean an extended label type nobody uses.
        byte[] bytes = [.. Convert.FromHexString("000000000001000000000000" + "40"), .. new byte[64], .. Convert.FromHexString("00000c0001")];

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("reserved", error);
    }

    [Fact]
    public void Rejects_a_name_longer_than_255_bytes()
    {
        var name = new List<byte>();
        for (int i = 0; i < 5; i++)
        {
            name.Add(63);
            name.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        byte[] bytes = [.. Convert.FromHexString("000000000001000000000000"), .. name, 0, .. Convert.FromHexString("000c0001")];

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("longer than 255", error);
    }

    [Fact]
    public void Rejects_a_header_claiming_more_records_than_the_limit_without_reading_them()
    {
        byte[] bytes = Convert.FromHexString("00008400" + "0000" + "ffff" + "0000" + "0000");

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains($"over the limit of {MdnsProtocol.MaxRecords}", error);
    }

    [Fact]
    public void Rejects_a_message_over_9000_bytes()
    {
        byte[] bytes = [.. Query, .. new byte[MdnsProtocol.MaxMessageSize + 1 - Query.Length]];

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("9000", error);
    }

    [Fact]
    public void Rejects_an_a_record_of_the_wrong_size()
    {
        byte[] bytes = Convert.FromHexString("000084000000000100000000" + "01680000010001" + "00000078" + "0005" + "c0a8010500");

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("5 bytes of data instead of 4", error);
    }

    [Fact]
    public void Rejects_a_txt_string_that_runs_past_its_record()
    {
        byte[] bytes = Convert.FromHexString("000084000000000100000000" + "01680000100001" + "00000078" + "0003" + "056162" + "636465");

        Assert.False(DnsReader.TryRead(bytes, out _, out string? error));
        Assert.Contains("TXT string", error);
    }

    [Fact]
    public void Random_and_mutated_datagrams_never_throw()
    {
        var random = new Random(5353);
        byte[] valid = Response();
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = (byte[])valid.Clone();
                for (int flips = random.Next(1, 6); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }

            bool ok = DnsReader.TryRead(bytes, out DnsMessage? message, out string? error);
            Assert.Equal(ok, message is not null);
            Assert.Equal(ok, error is null);
        }
    }
}
