using System.Buffers.Binary;

namespace Quids.Network.Muxing.Yamux;

/// <summary>
/// The 12-byte Yamux header, big-endian: version (always 0), type, flags, stream id, length. A struct so that
/// the read and write loops handle headers without allocating.
/// </summary>
internal readonly record struct YamuxFrameHeader(YamuxFrameType Type, YamuxFlags Flags, uint StreamId, uint Length)
{
    /// <summary>Bytes in every header (spec: "each header has a 12 byte overhead").</summary>
    public const int Size = 12;

    /// <summary>The only version the spec defines.</summary>
    public const byte Version = 0;

    public bool HasFlag(YamuxFlags flag) => (Flags & flag) == flag;

    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A Yamux header needs {Size} bytes, the destination has {destination.Length}.", nameof(destination));
        }

        destination[0] = Version;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Length);
    }

    /// <summary>
    /// Parses and validates one header. Returns <see langword="null"/> when it is valid, otherwise what is wrong
    /// (a result value rather than an exception: this runs once per frame).
    /// </summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <param name="maxDataLength">The largest data payload accepted, in bytes.</param>
    /// <param name="header">The parsed header when valid.</param>
    public static string? TryRead(ReadOnlySpan<byte> source, uint maxDataLength, out YamuxFrameHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return $"a header needs {Size} bytes, got {source.Length}";
        }

        if (source[0] != Version)
        {
            return $"unsupported version {source[0]} (only {Version} exists)";
        }

        byte type = source[1];
        if (type > (byte)YamuxFrameType.GoAway)
        {
            return $"unknown frame type {type}";
        }

        header = new YamuxFrameHeader(
            (YamuxFrameType)type,
            (YamuxFlags)BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]));

        if (header.Type == YamuxFrameType.Data && header.Length > maxDataLength)
        {
            return $"data frame of {header.Length} bytes on stream {header.StreamId} exceeds the maximum of {maxDataLength}";
        }

        if (header.Type is YamuxFrameType.Ping or YamuxFrameType.GoAway && header.StreamId != 0)
        {
            return $"{header.Type} frame on stream {header.StreamId} (the spec requires stream 0)";
        }

        if (header.Type is YamuxFrameType.Data or YamuxFrameType.WindowUpdate && header.StreamId == 0)
        {
            return $"{header.Type} frame on stream 0, which is reserved for the session";
        }

        return null;
    }

    public override string ToString() => $"{Type} flags={Flags} stream={StreamId} length={Length}";
}
