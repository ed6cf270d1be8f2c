using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>
/// The peer that completed the Noise handshake is not the one that was dialed: its verified PeerId
/// differs from the <c>/p2p/</c> id the caller expected.
/// </summary>
public sealed class PeerIdMismatchException : NoiseHandshakeException
{
    /// <summary>Creates the exception for the expected and the authenticated peer ids.</summary>
    public PeerIdMismatchException(PeerId expected, PeerId actual)
        : base($"Noise: expected to reach peer {expected} but the remote authenticated as peer {actual}.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The peer id the caller dialed.</summary>
    public PeerId Expected { get; }

    /// <summary>The peer id the remote proved it holds.</summary>
    public PeerId Actual { get; }
}
