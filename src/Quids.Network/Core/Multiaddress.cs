using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quids.Network.Core;

/// <summary>
/// A self-describing network address (multiformats multiaddr), e.g.
/// <c>/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…</c>, in text and binary forms. Immutable.
/// </summary>
public sealed partial class Multiaddress : IEquatable<Multiaddress>
{
    /// <summary>Longest binary or text form accepted when parsing, in bytes or characters.</summary>
    public const int MaxLength = 4096;

    /// <summary>Most components accepted when parsing.</summary>
    public const int MaxComponents = 32;

    private readonly MultiaddressComponent[] _components;
    private byte[]? _bytes;
    private string? _text;

    private Multiaddress(MultiaddressComponent[] components) => _components = components;

    /// <summary>The components in order.</summary>
    public IReadOnlyList<MultiaddressComponent> Components => _components;

    /// <summary>Parses the text form.</summary>
    /// <exception cref="FormatException">The text is not a multiaddress; the message says which part is wrong.</exception>
    public static Multiaddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var address, out string? error))
        {
            throw new FormatException($"'{(text.Length <= 120 ? text : text[..117] + "...")}' is not a multiaddress: {error}");
        }

        return address;
    }

    /// <summary>Parses the text form, returning false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Multiaddress? address) =>
        TryParse(text, out address, out _);

    /// <summary>Reads the binary form.</summary>
    /// <exception cref="FormatException">The bytes are not a multiaddress.</exception>
    public static Multiaddress FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (!TryFromBytes(bytes, out var address, out string? error))
        {
            throw new FormatException($"Invalid binary multiaddress: {error}");
        }

        return address;
    }

    /// <summary>The address of an IP endpoint: <c>/ip4/…/tcp/…</c> or <c>/ip6/…/tcp/…</c>.</summary>
    public static Multiaddress FromEndPoint(IPEndPoint endPoint, string transport = "tcp")
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var ip = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        string family = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip4";
        return Parse($"/{family}/{ip}/{transport}/{endPoint.Port}");
    }

    /// <summary>The binary form.</summary>
    public byte[] ToBytes() => (byte[])GetBytes().Clone();

    /// <summary>The peer id of the last <c>/p2p/</c> component, or null if there is none.</summary>
    public PeerId? GetPeerId()
    {
        for (int i = _components.Length - 1; i >= 0; i--)
        {
            if (_components[i].Protocol == MultiaddressProtocol.P2p)
            {
                return PeerId.FromBytes(_components[i].ValueBytes.Span);
            }
        }

        return null;
    }

    /// <summary>This address with a trailing <c>/p2p/</c> component removed (or itself if it has none).</summary>
    public Multiaddress WithoutPeerId() =>
        _components.Length > 0 && _components[^1].Protocol == MultiaddressProtocol.P2p ? new Multiaddress(_components[..^1]) : this;

    /// <summary>This address ending in <c>/p2p/<paramref name="peerId"/></c> (replacing any trailing one).</summary>
    public Multiaddress WithPeerId(PeerId peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        var component = new MultiaddressComponent(MultiaddressProtocol.P2p, peerId.Bytes.ToArray(), peerId.ToString());
        return new Multiaddress([.. WithoutPeerId()._components, component]);
    }

    /// <summary>This address followed by <paramref name="other"/>'s components.</summary>
    public Multiaddress Encapsulate(Multiaddress other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new Multiaddress([.. _components, .. other._components]);
    }

    /// <summary>
    /// The host and TCP port of an <c>/ip4|ip6|dns|dns4|dns6/…/tcp/…</c> address (any suffix such as
    /// <c>/p2p/…</c> is allowed). False for any other shape.
    /// </summary>
    public bool TryGetTcpEndPoint([NotNullWhen(true)] out EndPoint? endPoint)
    {
        endPoint = null;
        if (_components.Length < 2 || _components[1].Protocol != MultiaddressProtocol.Tcp)
        {
            return false;
        }

        int port = int.Parse(_components[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var first = _components[0];
        if (first.Protocol == MultiaddressProtocol.Ip4 || first.Protocol == MultiaddressProtocol.Ip6)
        {
            endPoint = new IPEndPoint(new IPAddress(first.ValueBytes.Span), port);
        }
        else if (first.Protocol == MultiaddressProtocol.Dns || first.Protocol == MultiaddressProtocol.Dns4 || first.Protocol == MultiaddressProtocol.Dns6)
        {
            var family = first.Protocol == MultiaddressProtocol.Dns4 ? AddressFamily.InterNetwork
                : first.Protocol == MultiaddressProtocol.Dns6 ? AddressFamily.InterNetworkV6 : AddressFamily.Unspecified;
            endPoint = new DnsEndPoint(first.Value, port, family);
        }

        return endPoint is not null;
    }

    /// <summary>True if the address has a component named <paramref name="protocolName"/>.</summary>
    public bool Has(string protocolName) => _components.Any(c => c.Name == protocolName);

    /// <inheritdoc/>
    public override string ToString() => _text ??= string.Concat(_components.Select(c => c.ToString()));

    /// <inheritdoc/>
    public bool Equals(Multiaddress? other) => other is not null && GetBytes().AsSpan().SequenceEqual(other.GetBytes());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Multiaddress);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(GetBytes());
        return hash.ToHashCode();
    }

    /// <summary>Equality by value.</summary>
    public static bool operator ==(Multiaddress? left, Multiaddress? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by value.</summary>
    public static bool operator !=(Multiaddress? left, Multiaddress? right) => !(left == right);

    private byte[] GetBytes()
    {
        if (_bytes is not null)
        {
            return _bytes;
        }

        var buffer = new ArrayBufferWriter<byte>();
        foreach (var component in _components)
        {
            Varint.Write(buffer, (ulong)component.Code);
            if (HasLengthPrefix(component.Protocol.Kind))
            {
                Varint.Write(buffer, (ulong)component.ValueBytes.Length);
            }

            buffer.Write(component.ValueBytes.Span);
        }

        return _bytes = buffer.WrittenSpan.ToArray();
    }

    private static bool HasLengthPrefix(MultiaddressValueKind kind) =>
        kind is MultiaddressValueKind.Text or MultiaddressValueKind.PeerId or MultiaddressValueKind.Multibase;

    private static string ToUtf8(byte[] value) => Encoding.UTF8.GetString(value);
}
