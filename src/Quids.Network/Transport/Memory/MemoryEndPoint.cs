using System.Net.Sockets;

namespace Quids.Network.Transport.Memory;

/// <summary>A named in-process endpoint of a <see cref="MemoryNetwork"/>, for tests that need no IP addresses.</summary>
internal sealed class MemoryEndPoint(string name) : System.Net.EndPoint, IEquatable<MemoryEndPoint>
{
    /// <summary>The endpoint's name, unique within its network.</summary>
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    /// <inheritdoc />
    public override AddressFamily AddressFamily => AddressFamily.Unspecified;

    /// <inheritdoc />
    public bool Equals(MemoryEndPoint? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MemoryEndPoint);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc />
    public override string ToString() => $"memory:{Name}";
}
