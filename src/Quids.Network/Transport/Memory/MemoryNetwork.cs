using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Quids.Network.Transport.Memory;

/// <summary>
/// The shared registry that lets <see cref="MemoryTransport"/>s in one process reach each other: listeners
/// keyed by endpoint, and the ports handed out for port-0 listens and dialers' local ends.
/// </summary>
internal sealed class MemoryNetwork
{
    // Ports come from the IANA dynamic range (49152-65535), like a kernel's ephemeral ports.
    private const int FirstDynamicPort = 49152;
    private const int DynamicPortCount = 65536 - FirstDynamicPort;

    private readonly ConcurrentDictionary<EndPoint, MemoryTransportListener> _listeners = new();
    private int _portCounter = -1;

    /// <summary>Endpoints being listened on now.</summary>
    public ICollection<EndPoint> ListenEndPoints => _listeners.Keys;

    internal int NextPort() => FirstDynamicPort + (int)((uint)Interlocked.Increment(ref _portCounter) % DynamicPortCount);

    internal bool TryAdd(EndPoint endPoint, MemoryTransportListener listener) => _listeners.TryAdd(endPoint, listener);

    internal bool TryGet(EndPoint endPoint, [NotNullWhen(true)] out MemoryTransportListener? listener) =>
        _listeners.TryGetValue(endPoint, out listener);

    internal void Remove(EndPoint endPoint, MemoryTransportListener listener) =>
        _listeners.TryRemove(new KeyValuePair<EndPoint, MemoryTransportListener>(endPoint, listener));
}
