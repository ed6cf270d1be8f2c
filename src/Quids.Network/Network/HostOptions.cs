using Quids.Network.Core;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Transport.Tcp;

namespace Quids.Network.Network;

/// <summary>Settings of the connection layer (<see cref="Swarm"/>), validated once by <see cref="Validate"/>.</summary>
internal sealed class HostOptions
{
    /// <summary>The node's identity. Required.</summary>
    public IdentityKeyPair? Identity { get; set; }

    /// <summary>Addresses to listen on (<c>/ip4|ip6/…/tcp/…</c>). Defaults to none (dial only).</summary>
    public IList<Multiaddress> ListenAddresses { get; } = [];

    /// <summary>The agent version identify reports. Defaults to <c>quids/&lt;assembly version&gt;</c>.</summary>
    public string AgentVersion { get; set; } = "quids/" + typeof(HostOptions).Assembly.GetName().Version?.ToString(3);

    /// <summary>The protocol version identify reports. Defaults to <c>ipfs/0.1.0</c>, what other libp2p nodes send.</summary>
    public string ProtocolVersion { get; set; } = "ipfs/0.1.0";

    /// <summary>
    /// Longest time from TCP connect/accept to a ready, authenticated and multiplexed connection. Defaults to
    /// 10 s: a handshake is 1.5-3 round trips, so only a stalled or hostile peer takes this long.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Offer <c>/yamux/1.0.0</c> in the Noise handshake payload (libp2p early muxer negotiation), saving the
    /// multistream-select round trip when the peer offers it too. Defaults to true; false makes every
    /// connection negotiate its muxer with multistream-select, as peers without the extension do.
    /// </summary>
    public bool EarlyMuxerNegotiation { get; set; } = true;

    /// <summary>Longest time for the protocol negotiation of one stream. Defaults to 10 s.</summary>
    public TimeSpan StreamNegotiationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most connections (inbound and outbound) held at once, counting those still handshaking; beyond it
    /// new inbound connections are closed at once and dials fail. Defaults to 100, the seed's max_connections.
    /// </summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>
    /// Most inbound connections still in their handshake at once. Defaults to 64: bounds the memory and CPU a
    /// flood of half-open connections can take before any peer has proven who it is.
    /// </summary>
    public int MaxPendingInbound { get; set; } = 64;

    /// <summary>
    /// Most inbound streams of one connection in protocol negotiation at once. Defaults to 256, Yamux's ACK
    /// backlog: an honest peer opening a burst of streams within one round trip stays under it, while a peer
    /// that keeps opening streams it never negotiates is refused and, past the limit again, disconnected.
    /// </summary>
    public int MaxNegotiatingStreamsPerConnection { get; set; } = 256;

    /// <summary>TCP settings.</summary>
    public TcpTransportOptions Tcp { get; set; } = new();

    /// <summary>Yamux settings.</summary>
    public YamuxOptions Yamux { get; set; } = new();

    /// <summary>The clock; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks every value, naming the first that is wrong.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (Identity is null)
        {
            throw new ArgumentException("HostOptions.Identity is required.");
        }

        if (HandshakeTimeout <= TimeSpan.Zero || StreamNegotiationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("HandshakeTimeout and StreamNegotiationTimeout must be positive.");
        }

        if (MaxConnections < 1 || MaxPendingInbound < 1 || MaxNegotiatingStreamsPerConnection < 1)
        {
            throw new ArgumentException("MaxConnections, MaxPendingInbound and MaxNegotiatingStreamsPerConnection must be at least 1.");
        }

        foreach (var address in ListenAddresses)
        {
            if (!address.TryGetTcpEndPoint(out _))
            {
                throw new ArgumentException($"Listen address {address} is not a /ip4|ip6|dns/…/tcp/… address.");
            }
        }
    }
}
