using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>What a verified handshake payload says about the remote peer.</summary>
internal sealed record NoiseRemoteIdentity(PublicKey PublicKey, PeerId PeerId, IReadOnlyList<string> StreamMuxers);
