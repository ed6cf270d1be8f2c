using System.Buffers;

namespace Quids.Network.Protocols.Messaging;

/// <summary>
/// Gives each received message memory of its own that is never reused: small messages are copied one after
/// another into a shared array (one allocation per many messages instead of one per message), larger ones into
/// an array of their own. A filled array is simply dropped; the messages a handler kept keep it alive.
/// </summary>
internal sealed class MessageSlab
{
    /// <summary>Bytes per shared array: 8 KiB holds 120 messages of 64 bytes; what a kept message may pin.</summary>
    public const int SlabSize = 8 * 1024;

    /// <summary>Messages above 512 bytes get their own array, so a shared array is never mostly wasted.</summary>
    public const int MaxSharedMessage = 512;

    private byte[] _array = [];
    private int _used;

    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> message)
    {
        var target = Rent(message.Length);
        message.CopyTo(target.Span);
        return target;
    }

    public ReadOnlyMemory<byte> Copy(in ReadOnlySequence<byte> message)
    {
        var target = Rent((int)message.Length);
        message.CopyTo(target.Span);
        return target;
    }

    private Memory<byte> Rent(int length)
    {
        if (length > MaxSharedMessage)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        if (_array.Length - _used < length)
        {
            _array = GC.AllocateUninitializedArray<byte>(SlabSize);
            _used = 0;
        }

        var memory = _array.AsMemory(_used, length);
        _used += length;
        return memory;
    }
}
