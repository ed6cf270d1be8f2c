namespace Quids.Network.Security.Noise;

/// <summary>The two cipher states Split() yields, oriented for one party: what it sends and what it receives.</summary>
internal readonly record struct NoiseTransportCiphers(NoiseCipherState Send, NoiseCipherState Receive);
