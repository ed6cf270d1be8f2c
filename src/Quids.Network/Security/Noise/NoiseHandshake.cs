using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>
/// Runs the libp2p Noise XX handshake over a raw duplex pipe (after multistream-select chose
/// "/noise") and returns the encrypted channel. Message 1 carries only the initiator's ephemeral key;
/// message 2 carries the responder's signed payload, message 3 the initiator's; each payload may
/// list the stream muxers its sender supports (early muxer negotiation).
/// </summary>
internal static class NoiseHandshake
{
    /// <summary>
    /// Authenticates the remote peer and returns the secure channel. The caller bounds the handshake's
    /// duration through <paramref name="cancellationToken"/>; on failure the caller still owns, and
    /// must close, <paramref name="transport"/>.
    /// </summary>
    /// <exception cref="PeerIdMismatchException">The remote is not <paramref name="expectedRemotePeerId"/>.</exception>
    /// <exception cref="NoiseHandshakeException">The remote sent a malformed, truncated or unauthenticated handshake.</exception>
    public static async Task<NoiseSecureChannel> RunAsync(
        IDuplexPipe transport,
        IdentityKeyPair identity,
        bool isInitiator,
        PeerId? expectedRemotePeerId = null,
        IReadOnlyList<string>? streamMuxers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(identity);
        using var staticKey = new NoiseStaticKey(identity, streamMuxers);
        return await RunAsync(transport, staticKey, isInitiator, expectedRemotePeerId, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// As <see cref="RunAsync(IDuplexPipe, IdentityKeyPair, bool, PeerId?, IReadOnlyList{string}?, CancellationToken)"/>,
    /// with the node's static key and signed payload made once (<paramref name="staticKey"/> names the muxers offered).
    /// An initiator may pass <paramref name="beforeFirstRead"/>: it runs after message 1 is flushed and before
    /// message 2 is read, so that a multistream-select proposal of "/noise" left unflushed in the transport's
    /// output travels with message 1 and its answer is read here (one round trip instead of two).
    /// </summary>
    public static async Task<NoiseSecureChannel> RunAsync(
        IDuplexPipe transport,
        NoiseStaticKey staticKey,
        bool isInitiator,
        PeerId? expectedRemotePeerId = null,
        Func<CancellationToken, ValueTask>? beforeFirstRead = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(staticKey);
        using var state = new NoiseHandshakeState(isInitiator, staticKey);
        byte[] payload = staticKey.Payload;
        NoiseRemoteIdentity remote;
        if (isInitiator)
        {
            await WriteMessageAsync(transport.Output, state, ReadOnlyMemory<byte>.Empty, cancellationToken);
            if (beforeFirstRead is not null)
            {
                await beforeFirstRead(cancellationToken);
            }

            remote = await ReadPayloadAsync(transport.Input, state, cancellationToken);
            CheckExpected(expectedRemotePeerId, remote);
            await WriteMessageAsync(transport.Output, state, payload, cancellationToken);
        }
        else
        {
            // Message 1's payload is unauthenticated and libp2p puts nothing in it: it is ignored.
            await ReadMessageAsync(transport.Input, state, new ArrayBufferWriter<byte>(), cancellationToken);
            await WriteMessageAsync(transport.Output, state, payload, cancellationToken);
            remote = await ReadPayloadAsync(transport.Input, state, cancellationToken);
            CheckExpected(expectedRemotePeerId, remote);
        }

        byte[] handshakeHash = state.HandshakeHash.ToArray();
        NoiseTransportCiphers ciphers = state.Split();
        var channel = new NoiseSecureChannel(transport, ciphers, remote, handshakeHash);
        channel.Start();
        return channel;
    }

    private static void CheckExpected(PeerId? expected, NoiseRemoteIdentity remote)
    {
        if (expected is not null && expected != remote.PeerId)
        {
            throw new PeerIdMismatchException(expected, remote.PeerId);
        }
    }

    private static async ValueTask<NoiseRemoteIdentity> ReadPayloadAsync(PipeReader input, NoiseHandshakeState state, CancellationToken cancellationToken)
    {
        var payload = new ArrayBufferWriter<byte>();
        await ReadMessageAsync(input, state, payload, cancellationToken);
        return NoisePayloadCodec.Verify(payload.WrittenSpan, state.RemoteStaticPublicKey);
    }

    private static async ValueTask WriteMessageAsync(PipeWriter output, NoiseHandshakeState state, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        WriteMessage(output, state, payload.Span);
        FlushResult flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted)
        {
            throw new NoiseHandshakeException($"Noise: the connection closed before handshake message {state.MessageIndex} could be sent.");
        }
    }

    /// <summary>The length prefix, then the message written straight into the pipe (no intermediate buffer).</summary>
    private static void WriteMessage(PipeWriter output, NoiseHandshakeState state, ReadOnlySpan<byte> payload)
    {
        int length = state.GetMessageLength(payload.Length);
        if (length > NoiseProtocol.MaxMessageLength)
        {
            throw new NoiseHandshakeException($"Noise: handshake message {state.MessageIndex + 1} would be {length} bytes, over the {NoiseProtocol.MaxMessageLength}-byte limit.");
        }

        Span<byte> prefix = output.GetSpan(NoiseProtocol.LengthPrefixLength);
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
        output.Advance(NoiseProtocol.LengthPrefixLength);
        state.WriteMessage(payload, output);
    }

    private static async ValueTask ReadMessageAsync(PipeReader input, NoiseHandshakeState state, IBufferWriter<byte> payload, CancellationToken cancellationToken)
    {
        int number = state.MessageIndex + 1;
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            int length = -1;
            if (buffer.Length >= NoiseProtocol.LengthPrefixLength)
            {
                length = ReadLength(buffer);
                long total = NoiseProtocol.LengthPrefixLength + length;
                if (buffer.Length >= total)
                {
                    ReadOnlySequence<byte> message = buffer.Slice(NoiseProtocol.LengthPrefixLength, length);
                    try
                    {
                        // Handshake messages are few and small next to the work of the handshake: a copy is fine.
                        state.ReadMessage(message.IsSingleSegment ? message.FirstSpan : message.ToArray(), payload);
                    }
                    finally
                    {
                        input.AdvanceTo(buffer.GetPosition(total));
                    }

                    return;
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                string expected = length < 0 ? "its 2-byte length prefix" : $"{NoiseProtocol.LengthPrefixLength + length} bytes";
                input.AdvanceTo(buffer.End);
                throw new NoiseHandshakeException($"Noise: the connection {(result.IsCanceled ? "read was canceled" : "closed")} during handshake message {number}: {buffer.Length} bytes received, {expected} expected.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    internal static int ReadLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[NoiseProtocol.LengthPrefixLength];
        buffer.Slice(0, NoiseProtocol.LengthPrefixLength).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt16BigEndian(prefix);
    }
}
