using Microsoft.Extensions.Logging;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Multistream;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Security.Noise;
using Quids.Network.Transport;

namespace Quids.Network.Network;

/// <summary>
/// Turns a raw TCP connection into an authenticated, encrypted, multiplexed one, in the order of the libp2p
/// connections spec. One pipeline for both directions:
/// <list type="number">
/// <item>multistream-select on the raw bytes agrees on <c>/noise</c>: the dialer writes the multistream header,
/// the proposal and Noise message 1 in one flush, and reads the listener's answer just before Noise message 2, so
/// negotiation and the first Noise exchange share one round trip.</item>
/// <item>Noise XX (1.5 round trips, the first shared with negotiation): both static keys (one long-lived
/// <see cref="NoiseStaticKey"/> per node) are exchanged and signed by the peers' identity keys;
/// the signature is verified, the remote <see cref="PeerId"/> is derived from its identity key, and a dial that
/// named <c>/p2p/&lt;id&gt;</c> fails unless the remote is that peer. From here every byte is encrypted.</item>
/// <item>The muxer: when both handshake payloads listed <c>/yamux/1.0.0</c> (Noise early muxer negotiation),
/// it is chosen with no extra round trip; otherwise multistream-select agrees on it inside the channel. Only
/// a list we sent ourselves counts: a peer (js-libp2p) that receives none from us falls back to
/// multistream-select even though it offered its own.</item>
/// <item>A Yamux session starts; the connection can open and accept streams.</item>
/// </list>
/// Guarantees: the whole upgrade finishes within <see cref="HostOptions.HandshakeTimeout"/>; on any failure
/// the raw connection is aborted and a <see cref="ConnectionUpgradeException"/> names the stage and the cause;
/// nothing is returned unless the remote proved its identity.
/// </summary>
internal sealed class UpgradePipeline : IDisposable
{
    public const string NoiseProtocol = "/noise";
    public const string YamuxProtocol = "/yamux/1.0.0";

    private static readonly string[] s_security = [NoiseProtocol];
    private static readonly string[] s_muxers = [YamuxProtocol];
    private readonly HostOptions _options;
    private readonly ILogger _logger;
    private readonly NoiseStaticKey _noiseKey;

    public UpgradePipeline(HostOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _noiseKey = new NoiseStaticKey(options.Identity!, options.EarlyMuxerNegotiation ? s_muxers : []);
    }

    /// <summary>Wipes the node's Noise static key.</summary>
    public void Dispose() => _noiseKey.Dispose();

    public async Task<NetworkConnection> UpgradeAsync(
        ITransportConnection raw, ConnectionDirection direction, PeerId? expectedRemote, CancellationToken cancellationToken = default)
    {
        bool initiator = direction == ConnectionDirection.Outbound;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HandshakeTimeout);
        var stage = UpgradeStage.SecurityNegotiation;
        NoiseSecureChannel? secure = null;
        try
        {
            if (initiator)
            {
                // "/noise" is the only security protocol we speak, so proposing it optimistically loses nothing: the
                // proposal leaves with Noise message 1, and a listener that refuses it fails the upgrade either way.
                MultistreamDialer.WriteProposal(raw.Transport.Output, NoiseProtocol);
                secure = await NoiseHandshake.RunAsync(
                    raw.Transport,
                    _noiseKey,
                    initiator,
                    expectedRemote,
                    async token =>
                    {
                        await MultistreamDialer.ConfirmAsync(raw.Transport.Input, NoiseProtocol, token);
                        stage = UpgradeStage.SecurityHandshake;
                    },
                    timeout.Token);
            }
            else
            {
                await MultistreamListener.NegotiateAsync(raw.Transport, s_security, timeout.Token);
                stage = UpgradeStage.SecurityHandshake;
                secure = await NoiseHandshake.RunAsync(raw.Transport, _noiseKey, initiator, expectedRemote, cancellationToken: timeout.Token);
            }


            stage = UpgradeStage.MuxerNegotiation;
            bool early = _options.EarlyMuxerNegotiation && secure.RemoteStreamMuxers.Contains(YamuxProtocol);
            if (!early)
            {
                if (initiator)
                {
                    await MultistreamDialer.SelectAsync(secure, s_muxers, timeout.Token);
                }
                else
                {
                    await MultistreamListener.NegotiateAsync(secure, s_muxers, timeout.Token);
                }
            }

            var muxer = new YamuxSession(secure, initiator, _options.Yamux, _options.TimeProvider);
            muxer.Start();
            var connection = new NetworkConnection(
                raw, secure, muxer, _options.Identity!.PeerId, secure.RemotePublicKey, direction, _options.TimeProvider.GetUtcNow())
            {
                MuxerNegotiatedInHandshake = early,
            };
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                // Formatting the address costs two strings per connection: only when the line is written.
                NetworkLog.ConnectionUpgraded(
                    _logger, connection.Id, direction, connection.RemotePeerId, Describe(raw), early ? "Noise early negotiation" : "multistream-select");
            }

            return connection;
        }
        catch (Exception e) when (e is not ConnectionUpgradeException)
        {
            string remote = Describe(raw);
            string reason = e switch
            {
                OperationCanceledException when !cancellationToken.IsCancellationRequested =>
                    $"no progress within the handshake timeout of {_options.HandshakeTimeout.TotalSeconds:0.#} s",

                // The failure code (MissingNewline, WrongHeader, ...) is what an operator greps for.
                ProtocolNegotiationException negotiation => $"{negotiation.Message} ({negotiation.Reason})",
                _ => e.Message,
            };
            raw.Abort(e);
            if (secure is not null)
            {
                await secure.DisposeAsync();
            }

            await raw.DisposeAsync();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var failure = new ConnectionUpgradeException(stage, remote, expectedRemote, reason, e)
            {
                RemotePeerId = stage == UpgradeStage.MuxerNegotiation ? secure?.RemotePeerId : null,
            };
            NetworkLog.UpgradeFailed(_logger, direction, remote, failure.Message);
            throw failure;
        }
    }

    private static string Describe(ITransportConnection raw) => raw.RemoteEndPoint.ToString() ?? "?";
}
