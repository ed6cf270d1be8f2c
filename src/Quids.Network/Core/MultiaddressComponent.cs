namespace Quids.Network.Core;

/// <summary>One protocol of a multiaddress with its value, e.g. <c>/tcp/4001</c>.</summary>
public sealed class MultiaddressComponent : IEquatable<MultiaddressComponent>
{
    private readonly byte[] _value;

    internal MultiaddressComponent(MultiaddressProtocol protocol, byte[] value, string text)
    {
        Protocol = protocol;
        _value = value;
        Value = text;
    }

    /// <summary>The protocol name (<c>ip4</c>, <c>tcp</c>, <c>p2p</c>, …).</summary>
    public string Name => Protocol.Name;

    /// <summary>The protocol's multicodec code.</summary>
    public int Code => Protocol.Code;

    /// <summary>The value in text form (empty for protocols without a value).</summary>
    public string Value { get; }

    /// <summary>The value in binary form, as it appears on the wire (without the length prefix).</summary>
    public ReadOnlyMemory<byte> ValueBytes => _value;

    internal MultiaddressProtocol Protocol { get; }

    /// <inheritdoc/>
    public bool Equals(MultiaddressComponent? other) =>
        other is not null && Protocol.Code == other.Protocol.Code && _value.AsSpan().SequenceEqual(other._value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as MultiaddressComponent);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Protocol.Code);
        hash.AddBytes(_value);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Protocol.Kind == MultiaddressValueKind.None ? "/" + Name : $"/{Name}/{Value}";
}
