using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Quids.Network.Protocols.Mdns.Wire;

/// <summary>
/// Decodes one DNS message from a datagram: pure code with no I/O, so it can be fuzzed. Every malformed
/// input gives <c>false</c> and a reason, never an exception: the datagram comes from anyone on the link.
/// Names may be compressed (RFC 1035 §4.1.4); each pointer must land before the previous one, which rules out loops,
/// and a name may follow at most <see cref="MdnsProtocol.MaxCompressionPointers"/> of them.
/// </summary>
internal ref struct DnsReader
{
    private readonly ReadOnlySpan<byte> _message;
    private int _position;
    private string? _error;

    private DnsReader(ReadOnlySpan<byte> message)
    {
        _message = message;
        _position = 0;
        _error = null;
    }

    /// <summary>Decodes <paramref name="datagram"/>, or says in <paramref name="error"/> why it cannot.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out DnsMessage? message, out string? error)
    {
        message = null;
        if (datagram.Length > MdnsProtocol.MaxMessageSize)
        {
            error = $"message of {datagram.Length} bytes is over the limit of {MdnsProtocol.MaxMessageSize}";
            return false;
        }

        var reader = new DnsReader(datagram);
        message = reader.ReadMessage();
        error = reader._error;
        if (error is not null)
        {
            message = null;
        }

        return message is not null;
    }

    private DnsMessage? ReadMessage()
    {
        if (!TryReadUInt16(out ushort id, "header") || !TryReadUInt16(out ushort flags, "header")
            || !TryReadUInt16(out ushort questionCount, "header") || !TryReadUInt16(out ushort answerCount, "header")
            || !TryReadUInt16(out ushort authorityCount, "header") || !TryReadUInt16(out ushort additionalCount, "header"))
        {
            return null;
        }

        int total = questionCount + answerCount + authorityCount + additionalCount;
        if (total > MdnsProtocol.MaxRecords)
        {
            Fail($"message claims {total} questions and records, over the limit of {MdnsProtocol.MaxRecords}");
            return null;
        }

        var questions = new List<DnsQuestion>(questionCount);
        for (int i = 0; i < questionCount; i++)
        {
            if (ReadName() is not { } name || !TryReadUInt16(out ushort type, "question") || !TryReadUInt16(out ushort cls, "question"))
            {
                return null;
            }

            questions.Add(new DnsQuestion(name, (DnsRecordType)type, (cls & 0x8000) != 0));
        }

        if (ReadRecords(answerCount) is not { } answers || ReadRecords(authorityCount) is not { } authorities
            || ReadRecords(additionalCount) is not { } additionals)
        {
            return null;
        }

        // Bytes after the last record are ignored, as most resolvers do: they carry no meaning we could misread.
        return new DnsMessage
        {
            Id = id,
            Flags = flags,
            Questions = questions,
            Answers = answers,
            Authorities = authorities,
            Additionals = additionals,
        };
    }

    private List<DnsRecord>? ReadRecords(int count)
    {
        var records = new List<DnsRecord>(count);
        for (int i = 0; i < count; i++)
        {
            if (ReadRecord() is not { } record)
            {
                return null;
            }

            records.Add(record);
        }

        return records;
    }

    private DnsRecord? ReadRecord()
    {
        if (ReadName() is not { } name || !TryReadUInt16(out ushort type, "record") || !TryReadUInt16(out ushort cls, "record")
            || !TryReadUInt32(out uint ttl, "record") || !TryReadUInt16(out ushort length, "record"))
        {
            return null;
        }

        if (length > _message.Length - _position)
        {
            Fail($"record data of {length} bytes runs past the end of the message");
            return null;
        }

        int start = _position;
        int end = start + length;
        var record = new DnsRecord { Name = name, Type = (DnsRecordType)type, Ttl = ttl, CacheFlush = (cls & 0x8000) != 0 };
        switch ((DnsRecordType)type)
        {
            case DnsRecordType.Ptr:
                if (ReadName() is not { } target)
                {
                    return null;
                }

                if (_position != end)
                {
                    Fail("PTR record data length does not match its name");
                    return null;
                }

                record = record with { Target = target };
                break;

            case DnsRecordType.Txt:
                if (ReadText(end) is not { } text)
                {
                    return null;
                }

                record = record with { Text = text };
                break;

            case DnsRecordType.A or DnsRecordType.Aaaa:
                int expected = (DnsRecordType)type == DnsRecordType.A ? 4 : 16;
                if (length != expected)
                {
                    Fail($"{(DnsRecordType)type} record has {length} bytes of data instead of {expected}");
                    return null;
                }

                record = record with { Address = new IPAddress(_message.Slice(start, length)) };
                break;
        }

        _position = end;
        return record;
    }

    private List<string>? ReadText(int end)
    {
        var strings = new List<string>();
        while (_position < end)
        {
            int length = _message[_position++];
            if (length > end - _position)
            {
                Fail($"TXT string of {length} bytes runs past its record");
                return null;
            }

            strings.Add(Encoding.UTF8.GetString(_message.Slice(_position, length)));
            _position += length;
        }

        return strings;
    }

    /// <summary>Reads a possibly compressed name as dotted text; a dot inside a label is escaped as <c>\.</c>.</summary>
    private string? ReadName()
    {
        var text = new StringBuilder();
        int position = _position;
        int resumeAt = -1;
        int pointerLimit = position;
        int pointers = 0;
        int wireLength = 1;
        while (true)
        {
            if (position >= _message.Length)
            {
                Fail("name runs past the end of the message");
                return null;
            }

            byte head = _message[position];
            if ((head & 0xC0) == 0xC0)
            {
                if (position + 1 >= _message.Length)
                {
                    Fail("compression pointer cut off by the end of the message");
                    return null;
                }

                int offset = ((head & 0x3F) << 8) | _message[position + 1];
                // Each jump must land before where the previous one landed: strictly decreasing targets end every walk.
                if (offset >= pointerLimit)
                {
                    Fail($"compression pointer at {position} to {offset} does not point before {pointerLimit}");
                    return null;
                }

                if (++pointers > MdnsProtocol.MaxCompressionPointers)
                {
                    Fail($"name follows more than {MdnsProtocol.MaxCompressionPointers} compression pointers");
                    return null;
                }

                if (resumeAt < 0)
                {
                    resumeAt = position + 2;
                }

                position = offset;
                pointerLimit = offset;
                continue;
            }

            if ((head & 0xC0) != 0)
            {
                Fail($"label type 0x{head & 0xC0:x2} is reserved");
                return null;
            }

            position++;
            if (head == 0)
            {
                break;
            }

            // The 6-bit length cannot exceed 63 (MaxLabelLength), so only the whole name needs a check.
            wireLength += head + 1;
            if (wireLength > MdnsProtocol.MaxNameLength)
            {
                Fail($"name longer than {MdnsProtocol.MaxNameLength} bytes");
                return null;
            }

            if (head > _message.Length - position)
            {
                Fail($"label of {head} bytes runs past the end of the message");
                return null;
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(Encoding.UTF8.GetString(_message.Slice(position, head)).Replace(".", "\\.", StringComparison.Ordinal));
            position += head;
        }

        _position = resumeAt >= 0 ? resumeAt : position;
        return text.ToString();
    }

    private bool TryReadUInt16(out ushort value, string where)
    {
        if (_message.Length - _position < 2)
        {
            value = 0;
            Fail($"{where} cut off by the end of the message");
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_message[_position..]);
        _position += 2;
        return true;
    }

    private bool TryReadUInt32(out uint value, string where)
    {
        if (_message.Length - _position < 4)
        {
            value = 0;
            Fail($"{where} cut off by the end of the message");
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_message[_position..]);
        _position += 4;
        return true;
    }

    private void Fail(string error) => _error ??= "mdns: " + error;
}
