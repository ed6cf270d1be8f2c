using Quids.Network.Core;
using Quids.Network.Multistream;
using Quids.Network.Muxing;
using Quids.Network.Security.Noise;
using Quids.Network.Transport;

namespace Quids.Network.Network;

/// <summary>
/// An authenticated, encrypted, multiplexed connection to one peer: what <see cref="UpgradePipeline"/>
/// produces. The raw socket, the secure channel and the muxer underneath are owned by it.
/// </summary>
internal sealed class NetworkConnection : IAsyncDisposable
{
    /// <summary>
    /// Longest wait, when disposing, for the frames the muxer queued last to be encrypted and handed to the
    /// socket: 1 s. Enough on any live link; a peer that stops reading only delays the cleanup this long.
    /// </summary>
    private static readonly TimeSpan FinalFramesTimeout = TimeSpan.FromSeconds(1);

    private static long s_nextId;
    private readonly ITransportConnection _raw;
    private readonly IAsyncDisposable _secureChannel;
    private int _closing;

    public NetworkConnection(
        ITransportConnection raw,
        IAsyncDisposable secureChannel,
        IMuxedConnection muxer,
        PeerId localPeerId,
        PublicKey remotePublicKey,
        ConnectionDirection direction,
        DateTimeOffset openedAt)
    {
        _raw = raw;
        _secureChannel = secureChannel;
        Muxer = muxer;
        LocalPeerId = localPeerId;
        RemotePublicKey = remotePublicKey;
        RemotePeerId = remotePublicKey.ToPeerId();
        Direction = direction;
        OpenedAt = openedAt;
    }

    /// <summary>A process-unique number, for logs.</summary>
    public long Id { get; } = Interlocked.Increment(ref s_nextId);

    public PeerId LocalPeerId { get; }

    public PeerId RemotePeerId { get; }

    public PublicKey RemotePublicKey { get; }

    public ConnectionDirection Direction { get; }

    public DateTimeOffset OpenedAt { get; }

    /// <summary>Our end of the TCP connection, e.g. <c>/ip4/127.0.0.1/tcp/4001</c>.</summary>
    /// <remarks>Made on first use: most connections never ask, and the parsed form costs ~0.25 KiB each way.</remarks>
    public Multiaddress? LocalAddress => field ??= ToMultiaddress(_raw.LocalEndPoint);

    /// <summary>The remote end of the TCP connection (the address identify reports as "observed").</summary>
    public Multiaddress? RemoteAddress => field ??= ToMultiaddress(_raw.RemoteEndPoint);

    public IMuxedConnection Muxer { get; }

    /// <summary>The object that asked for this connection (set by a dialer, for the layer above).</summary>
    internal object? Owner { get; set; }

    /// <summary>True once the swarm raised ConnectionOpened for it (false for a duplicate closed at once).</summary>
    internal bool Announced { get; set; }

    /// <summary>
    /// True when the muxer was agreed in the Noise handshake payloads (early muxer negotiation), false when
    /// multistream-select chose it after the handshake.
    /// </summary>
    public bool MuxerNegotiatedInHandshake { get; init; }

    public long BytesSent => _raw.BytesSent;

    public long BytesReceived => _raw.BytesReceived;

    /// <summary>Completes when the connection has ended, for whatever reason.</summary>
    public Task Completion => Muxer.Completion;

    /// <summary>Opens a stream and negotiates <paramref name="protocol"/> on it.</summary>
    /// <exception cref="ProtocolNegotiationException">The remote does not speak the protocol.</exception>
    public ValueTask<IMuxedStream> OpenStreamAsync(string protocol, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        OpenStreamAsync([protocol], timeout, cancellationToken);

    /// <summary>Opens a stream and negotiates the first of <paramref name="protocols"/> the remote speaks.</summary>
    public async ValueTask<IMuxedStream> OpenStreamAsync(IReadOnlyList<string> protocols, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var stream = await Muxer.OpenStreamAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await MultistreamDialer.SelectAsync(stream, protocols, cts.Token);
            return stream;
        }
        catch
        {
            stream.Reset();
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Graceful close: go-away to the remote, then close the secure channel and the socket.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        try
        {
            await Muxer.CloseAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer may already be gone; closing is best effort and the disposal below still runs.
        }

        await DisposeAsync();
    }

    /// <summary>Immediate close: drops whatever is queued.</summary>
    public void Abort(Exception? reason)
    {
        Muxer.Abort(reason);
        _raw.Abort(reason);
    }

    public async ValueTask DisposeAsync()
    {
        await Muxer.DisposeAsync();
        if (_secureChannel is NoiseSecureChannel secure)
        {
            try
            {
                // The muxer's last frames (a Go Away naming a protocol error) are queued in the channel;
                // disposing it at once would drop them and the peer would never learn why we closed.
                await secure.SendCompletion.WaitAsync(FinalFramesTimeout);
            }
            catch (TimeoutException)
            {
                // The peer does not read: it has waited long enough, the frames are dropped.
            }
        }

        await _secureChannel.DisposeAsync();
        await _raw.DisposeAsync();
    }

    /// <inheritdoc/>
    public override string ToString() => $"#{Id} {Direction} {RemotePeerId} at {RemoteAddress}";

    internal static Multiaddress? ToMultiaddress(System.Net.EndPoint? endPoint) =>
        endPoint is System.Net.IPEndPoint ip ? Multiaddress.FromEndPoint(ip) : null;
}
