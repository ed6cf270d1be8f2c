using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Quids.Network.Protocols.Mdns.Wire;

/// <summary>
/// Encodes DNS messages. Names are written uncompressed: our messages are a few hundred bytes, and a plain
/// encoder cannot produce a pointer another reader would choke on.
/// </summary>
internal static class DnsWriter
{
    /// <summary>Encodes <paramref name="message"/>; throws <see cref="ArgumentException"/> for a name or string no DNS message can hold.</summary>
    public static byte[] Write(DnsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new List<byte>(512);
        WriteUInt16(buffer, message.Id);
        WriteUInt16(buffer, message.Flags);
        WriteUInt16(buffer, checked((ushort)message.Questions.Count));
        WriteUInt16(buffer, checked((ushort)message.Answers.Count));
        WriteUInt16(buffer, checked((ushort)message.Authorities.Count));
        WriteUInt16(buffer, checked((ushort)message.Additionals.Count));
        foreach (DnsQuestion question in message.Questions)
        {
            WriteName(buffer, question.Name);
            WriteUInt16(buffer, (ushort)question.Type);
            WriteUInt16(buffer, (ushort)(MdnsProtocol.ClassInternet | (question.UnicastResponse ? 0x8000 : 0)));
        }

        foreach (DnsRecord record in message.Answers.Concat(message.Authorities).Concat(message.Additionals))
        {
            WriteRecord(buffer, record);
        }

        return [.. buffer];
    }

    private static void WriteRecord(List<byte> buffer, DnsRecord record)
    {
        WriteName(buffer, record.Name);
        WriteUInt16(buffer, (ushort)record.Type);
        WriteUInt16(buffer, (ushort)(MdnsProtocol.ClassInternet | (record.CacheFlush ? 0x8000 : 0)));
        WriteUInt32(buffer, record.Ttl);
        int lengthAt = buffer.Count;
        WriteUInt16(buffer, 0);
        switch (record.Type)
        {
            case DnsRecordType.Ptr:
                WriteName(buffer, record.Target ?? throw new ArgumentException("mdns: a PTR record needs a target.", nameof(record)));
                break;
            case DnsRecordType.Txt:
                foreach (string text in record.Text ?? [])
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(text);
                    if (bytes.Length > MdnsProtocol.MaxTextStringLength)
                    {
                        throw new ArgumentException($"mdns: TXT string of {bytes.Length} bytes is over the limit of {MdnsProtocol.MaxTextStringLength}.", nameof(record));
                    }

                    buffer.Add((byte)bytes.Length);
                    buffer.AddRange(bytes);
                }

                break;
            case DnsRecordType.A or DnsRecordType.Aaaa:
                var family = record.Type == DnsRecordType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                if (record.Address is not { } address || address.AddressFamily != family)
                {
                    throw new ArgumentException($"mdns: a {record.Type} record needs an address of family {family}.", nameof(record));
                }

                buffer.AddRange(address.GetAddressBytes());
                break;
            default:
                throw new ArgumentException($"mdns: cannot encode records of type {record.Type}.", nameof(record));
        }

        int length = buffer.Count - lengthAt - 2;
        buffer[lengthAt] = (byte)(length >> 8);
        buffer[lengthAt + 1] = (byte)length;
    }

    private static void WriteName(List<byte> buffer, string name)
    {
        int wireLength = 1;
        foreach (string label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(label);
            if (bytes.Length > MdnsProtocol.MaxLabelLength)
            {
                throw new ArgumentException($"mdns: label '{label}' is over the limit of {MdnsProtocol.MaxLabelLength} bytes.", nameof(name));
            }

            wireLength += bytes.Length + 1;
            if (wireLength > MdnsProtocol.MaxNameLength)
            {
                throw new ArgumentException($"mdns: name '{name}' is over the limit of {MdnsProtocol.MaxNameLength} bytes.", nameof(name));
            }

            buffer.Add((byte)bytes.Length);
            buffer.AddRange(bytes);
        }

        buffer.Add(0);
    }

    private static void WriteUInt16(List<byte> buffer, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        buffer.AddRange(bytes);
    }

    private static void WriteUInt32(List<byte> buffer, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        buffer.AddRange(bytes);
    }
}
