using Quids.Network.Core;

namespace Quids.Network.Network;

/// <summary>
/// A new connection could not be made secure and multiplexed. The connection was closed; the message names
/// the stage, the remote address and, in <see cref="Exception.InnerException"/>, the specific cause.
/// </summary>
public sealed class ConnectionUpgradeException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectionUpgradeException(UpgradeStage stage, string remote, PeerId? expectedPeer, string message, Exception? inner)
        : base($"Connection {(expectedPeer is null ? "with" : $"to {expectedPeer} at")} {remote} failed during {Describe(stage)}: {message}", inner)
    {
        Stage = stage;
        Remote = remote;
    }

    /// <summary>The step that failed.</summary>
    public UpgradeStage Stage { get; }

    /// <summary>The remote endpoint, as text.</summary>
    public string Remote { get; }

    /// <summary>The remote's proven identity, when the failure came after the Noise handshake; otherwise null.</summary>
    public PeerId? RemotePeerId { get; init; }

    private static string Describe(UpgradeStage stage) => stage switch
    {
        UpgradeStage.SecurityNegotiation => "security protocol negotiation (multistream-select /noise)",
        UpgradeStage.SecurityHandshake => "the Noise handshake",
        _ => "muxer negotiation (multistream-select /yamux/1.0.0)",
    };
}
