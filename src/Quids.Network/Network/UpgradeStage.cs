namespace Quids.Network.Network;

/// <summary>The step of the connection upgrade at which a connection failed.</summary>
public enum UpgradeStage
{
    /// <summary>multistream-select on the raw TCP bytes, agreeing on <c>/noise</c>.</summary>
    SecurityNegotiation,

    /// <summary>The Noise XX handshake, including the identity signature and the expected peer id.</summary>
    SecurityHandshake,

    /// <summary>Agreeing on <c>/yamux/1.0.0</c> inside the encrypted channel.</summary>
    MuxerNegotiation,
}
