using System.Buffers;

namespace Quids.Network.Core;

/// <summary>The outcome of reading an unsigned varint.</summary>
public enum VarintStatus
{
    /// <summary>A complete, minimally encoded value was read.</summary>
    Done,

    /// <summary>The input ended inside the varint; more bytes are needed.</summary>
    NeedMoreData,

    /// <summary>The input is not a valid varint (too long, not minimal, or above the allowed maximum).</summary>
    Invalid,
}

/// <summary>
/// Unsigned LEB128 varints as the multiformats unsigned-varint spec defines them: at most 9 bytes
/// (values below 2^63) and minimal encoding only, so every value has exactly one encoding.
/// </summary>
public static class Varint
{
    /// <summary>The longest encoding the spec allows: 9 bytes, 63 bits of value.</summary>
    public const int MaxLength = 9;

    /// <summary>Number of bytes <paramref name="value"/> takes when encoded.</summary>
    public static int GetLength(ulong value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Writes <paramref name="value"/> and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value needs more than 63 bits.</exception>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public static int Write(Span<byte> destination, ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, (ulong)long.MaxValue);
        int length = GetLength(value);
        if (destination.Length < length)
        {
            throw new ArgumentException($"A varint of {length} bytes does not fit in {destination.Length} bytes.", nameof(destination));
        }

        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes <paramref name="value"/> into a buffer writer.</summary>
    public static void Write(IBufferWriter<byte> writer, ulong value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int written = Write(writer.GetSpan(MaxLength), value);
        writer.Advance(written);
    }

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    public static byte[] Encode(ulong value)
    {
        var bytes = new byte[GetLength(value)];
        Write(bytes, value);
        return bytes;
    }

    /// <summary>
    /// Reads a varint from the start of <paramref name="source"/>; values above <paramref name="maxValue"/>
    /// are <see cref="VarintStatus.Invalid"/>.
    /// </summary>
    public static VarintStatus TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed, ulong maxValue = long.MaxValue)
    {
        value = 0;
        consumed = 0;
        for (int i = 0; i < source.Length; i++)
        {
            if (i == MaxLength)
            {
                return VarintStatus.Invalid;
            }

            byte b = source[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                // A last byte of zero after the first means a longer-than-needed encoding.
                if (b == 0 && i > 0)
                {
                    value = 0;
                    return VarintStatus.Invalid;
                }

                if (value > maxValue)
                {
                    value = 0;
                    return VarintStatus.Invalid;
                }

                consumed = i + 1;
                return VarintStatus.Done;
            }
        }

        value = 0;
        return source.Length >= MaxLength ? VarintStatus.Invalid : VarintStatus.NeedMoreData;
    }

    /// <summary>
    /// Reads a varint from a sequence reader, advancing it only when a complete value was read.
    /// </summary>
    public static VarintStatus TryRead(ref SequenceReader<byte> reader, out ulong value, ulong maxValue = long.MaxValue)
    {
        Span<byte> scratch = stackalloc byte[MaxLength];
        int available = (int)Math.Min(reader.Remaining, MaxLength);
        ReadOnlySpan<byte> window = reader.UnreadSpan.Length >= available
            ? reader.UnreadSpan[..available]
            : (reader.TryCopyTo(scratch[..available]) ? scratch[..available] : ReadOnlySpan<byte>.Empty);
        var status = TryRead(window, out value, out int consumed, maxValue);
        if (status == VarintStatus.Done)
        {
            reader.Advance(consumed);
        }

        return status;
    }
}
