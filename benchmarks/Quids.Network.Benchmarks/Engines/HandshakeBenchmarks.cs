using System.Buffers;
using BenchmarkDotNet.Attributes;
using Quids.Network.Core;
using Quids.Network.Security.Noise;

namespace Quids.Network.Benchmarks.Engines;

/// <summary>
/// One whole Noise XX handshake in memory, both parties, with the libp2p payloads (identity key, signature over
/// the static key, muxer list) created and verified as <see cref="NoiseHandshake"/> does: the CPU and the
/// allocations of a connection's security step without sockets or scheduling. <see cref="NoiseXxWithPayloads"/>
/// makes a static key and signs it per handshake; <see cref="NoiseXxWithNodeStaticKeys"/> uses each node's
/// long-lived <see cref="NoiseStaticKey"/>, as the upgrade pipeline does.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks : IDisposable
{
    private static readonly string[] s_muxers = ["/yamux/1.0.0"];
    private readonly IdentityKeyPair _initiatorIdentity = IdentityKeyPair.Generate();
    private readonly IdentityKeyPair _responderIdentity = IdentityKeyPair.Generate();
    private readonly ArrayBufferWriter<byte> _wire = new(1024);
    private readonly ArrayBufferWriter<byte> _payload = new(1024);
    private NoiseStaticKey? _initiatorKey;
    private NoiseStaticKey? _responderKey;

    [GlobalSetup]
    public void Setup()
    {
        _initiatorKey = new NoiseStaticKey(_initiatorIdentity, s_muxers);
        _responderKey = new NoiseStaticKey(_responderIdentity, s_muxers);
    }

    [Benchmark]
    public int NoiseXxWithPayloads()
    {
        using var initiator = new NoiseHandshakeState(isInitiator: true);
        using var responder = new NoiseHandshakeState(isInitiator: false);
        return RunXx(
            initiator,
            responder,
            NoisePayloadCodec.Create(_responderIdentity, responder.LocalStaticPublicKey, s_muxers),
            NoisePayloadCodec.Create(_initiatorIdentity, initiator.LocalStaticPublicKey, s_muxers));
    }

    [Benchmark]
    public int NoiseXxWithNodeStaticKeys()
    {
        using var initiator = new NoiseHandshakeState(isInitiator: true, _initiatorKey!);
        using var responder = new NoiseHandshakeState(isInitiator: false, _responderKey!);
        return RunXx(initiator, responder, _responderKey!.Payload, _initiatorKey!.Payload);
    }

    /// <summary>The three XX messages with the given payloads, both payloads verified, then the split.</summary>
    private int RunXx(NoiseHandshakeState initiator, NoiseHandshakeState responder, byte[] responderPayload, byte[] initiatorPayload)
    {
        Transfer(initiator, responder, ReadOnlySpan<byte>.Empty);

        Transfer(responder, initiator, responderPayload);
        var responderIdentity = NoisePayloadCodec.Verify(_payload.WrittenSpan, initiator.RemoteStaticPublicKey);

        Transfer(initiator, responder, initiatorPayload);
        var initiatorIdentity = NoisePayloadCodec.Verify(_payload.WrittenSpan, responder.RemoteStaticPublicKey);

        var a = initiator.Split();
        var b = responder.Split();
        Dispose(a);
        Dispose(b);
        return responderIdentity.StreamMuxers.Count + initiatorIdentity.StreamMuxers.Count;
    }

    /// <summary>Releases the identity and static keys.</summary>
    public void Dispose()
    {
        _initiatorKey?.Dispose();
        _responderKey?.Dispose();
        _initiatorIdentity.Dispose();
        _responderIdentity.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void Dispose(NoiseTransportCiphers ciphers)
    {
        ciphers.Send.Dispose();
        ciphers.Receive.Dispose();
    }

    private void Transfer(NoiseHandshakeState from, NoiseHandshakeState to, ReadOnlySpan<byte> payload)
    {
        _wire.ResetWrittenCount();
        _payload.ResetWrittenCount();
        from.WriteMessage(payload, _wire);
        to.ReadMessage(_wire.WrittenSpan, _payload);
    }
}
