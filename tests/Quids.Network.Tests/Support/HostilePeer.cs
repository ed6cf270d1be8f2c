using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Multistream;
using Quids.Network.Muxing.Yamux;
using Quids.Network.Network;
using Quids.Network.Security.Noise;
using Quids.Network.Security.Noise.Wire;
using Quids.Network.Transport;
using Quids.Network.Transport.Tcp;

namespace Quids.Network.Tests.Support;

/// <summary>
/// A misbehaving dialer: a real TCP connection to a node on which the test runs as much of the stack as it
/// wants and then writes whatever it likes. Stages: raw bytes; multistream /noise then raw; a Noise
/// handshake (with a payload the test may forge) then plaintext through the secure channel; the handshake
/// plus multistream /yamux then hand-written Yamux frames. <see cref="Pipe"/> is the current layer.
/// </summary>
internal sealed class HostilePeer : IAsyncDisposable
{
    private readonly ITransportConnection _raw;
    private NoiseSecureChannel? _secure;

    private HostilePeer(ITransportConnection raw)
    {
        _raw = raw;
    }

    /// <summary>The layer the test writes to: the raw socket, or the secure channel once the handshake ran.</summary>
    public IDuplexPipe Pipe => _secure is null ? _raw.Transport : _secure;

    /// <summary>The peer id the victim proved it holds, once the handshake ran.</summary>
    public PeerId? RemotePeerId => _secure?.RemotePeerId;

    public static async Task<HostilePeer> ConnectAsync(TestNode victim)
    {
        victim.Swarm.ListenAddresses[0].TryGetTcpEndPoint(out EndPoint? endPoint);
        var raw = await new TcpTransport().ConnectAsync(endPoint!);
        return new HostilePeer(raw);
    }

    public async Task SendAsync(byte[] bytes)
    {
        await Pipe.Output.WriteAsync(bytes);
    }

    /// <summary>Writes to the raw socket, under any secure channel.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _raw.Transport.Output.WriteAsync(bytes);
    }

    /// <summary>Closes the socket with a TCP reset.</summary>
    public void Reset() => _raw.Abort(new IOException("hostile peer resets the connection"));

    /// <summary>Multistream-select /noise on the raw socket, as an honest dialer would.</summary>
    public async Task SelectNoiseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await MultistreamDialer.SelectAsync(_raw.Transport, [UpgradePipeline.NoiseProtocol], timeout.Token);
    }

    /// <summary>Sends one length-prefixed Noise handshake message of <paramref name="body"/> as is.</summary>
    public Task SendNoiseFrameAsync(byte[] body)
    {
        byte[] frame = new byte[2 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)body.Length);
        body.CopyTo(frame, 2);
        return SendAsync(frame);
    }

    /// <summary>Reads one length-prefixed Noise handshake message from the raw socket.</summary>
    public async Task<byte[]> ReceiveNoiseFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        PipeReader input = _raw.Transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (buffer.Length >= 2)
            {
                int length = NoiseHandshake.ReadLength(buffer);
                if (buffer.Length >= 2 + length)
                {
                    byte[] body = buffer.Slice(2, length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(2 + length));
                    return body;
                }
            }

            if (result.IsCompleted)
            {
                throw new IOException("the victim closed during the handshake");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Runs Noise XX as initiator with <paramref name="identity"/>; <paramref name="forgePayload"/> (given the
    /// honest payload and our static key) may replace the payload of message 3. Without muxers in the payload,
    /// so that /yamux/1.0.0 is then negotiated in the channel.
    /// </summary>
    public async Task HandshakeAsync(IdentityKeyPair identity, Func<NoiseHandshakePayload, byte[], NoiseHandshakePayload>? forgePayload = null)
    {
        await SelectNoiseAsync();
        using var state = new NoiseHandshakeState(isInitiator: true);
        await SendNoiseFrameAsync(Write(state, []));
        var payload = new ArrayBufferWriter<byte>();
        state.ReadMessage(await ReceiveNoiseFrameAsync(), payload);
        NoiseRemoteIdentity remote = NoisePayloadCodec.Verify(payload.WrittenSpan, state.RemoteStaticPublicKey);
        var ours = NoiseHandshakePayload.Parser.ParseFrom(NoisePayloadCodec.Create(identity, state.LocalStaticPublicKey, null));
        if (forgePayload is not null)
        {
            ours = forgePayload(ours, state.LocalStaticPublicKey.ToArray());
        }

        await SendNoiseFrameAsync(Write(state, ours.ToByteArray()));
        byte[] hash = state.HandshakeHash.ToArray();
        _secure = new NoiseSecureChannel(_raw.Transport, state.Split(), remote, hash);
        _secure.Start();
    }

    /// <summary>A real handshake, then multistream-select /yamux/1.0.0 inside the channel.</summary>
    public async Task HandshakeAndSelectYamuxAsync(IdentityKeyPair identity)
    {
        await HandshakeAsync(identity);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await MultistreamDialer.SelectAsync(_secure!, [UpgradePipeline.YamuxProtocol], timeout.Token);
    }

    /// <summary>Writes one hand-made Yamux header (and payload) to the current layer.</summary>
    public Task SendYamuxAsync(byte version, byte type, YamuxFlags flags, uint streamId, uint length, byte[]? payload = null)
    {
        byte[] frame = new byte[YamuxFrameHeader.Size + (payload?.Length ?? 0)];
        frame[0] = version;
        frame[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)flags);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), streamId);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), length);
        payload?.CopyTo(frame, YamuxFrameHeader.Size);
        return SendAsync(frame);
    }

    /// <summary>
    /// Reads the Yamux frames the victim sends (payloads skipped) until it closes the connection or
    /// <paramref name="timeout"/> passes, whichever is first; returns the headers and whether it closed.
    /// </summary>
    public async Task<(List<YamuxFrameHeader> Frames, bool Closed)> ReadYamuxFramesAsync(TimeSpan timeout)
    {
        var frames = new List<YamuxFrameHeader>();
        using var cts = new CancellationTokenSource(timeout);
        PipeReader input = Pipe.Input;
        long skip = 0;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cts.Token);
                var buffer = result.Buffer;
                while (true)
                {
                    if (skip > 0)
                    {
                        long take = Math.Min(skip, buffer.Length);
                        buffer = buffer.Slice(take);
                        skip -= take;
                        if (skip > 0)
                        {
                            break;
                        }
                    }

                    if (buffer.Length < YamuxFrameHeader.Size)
                    {
                        break;
                    }

                    byte[] header = buffer.Slice(0, YamuxFrameHeader.Size).ToArray();
                    Assert.Null(YamuxFrameHeader.TryRead(header, uint.MaxValue, out YamuxFrameHeader frame));
                    frames.Add(frame);
                    buffer = buffer.Slice(YamuxFrameHeader.Size);
                    skip = frame.Type == YamuxFrameType.Data ? frame.Length : 0;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return (frames, true);
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (frames, false);
        }
        catch (Exception e) when (e is IOException or NoiseException or InvalidOperationException)
        {
            return (frames, true);
        }
    }

    /// <summary>
    /// Reads (and drops) everything the victim sends until it closes the connection; true if that happens
    /// within <paramref name="timeout"/>. A reset counts as closed.
    /// </summary>
    public async Task<bool> WaitUntilClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        PipeReader input = Pipe.Input;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(cts.Token);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or NoiseException or ConnectionAbortedException or InvalidOperationException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _raw.Abort(null);
        if (_secure is not null)
        {
            await _secure.DisposeAsync();
        }

        await _raw.DisposeAsync();
    }

    private static byte[] Write(NoiseHandshakeState state, byte[] payload)
    {
        var message = new ArrayBufferWriter<byte>();
        state.WriteMessage(payload, message);
        return message.WrittenSpan.ToArray();
    }
}
