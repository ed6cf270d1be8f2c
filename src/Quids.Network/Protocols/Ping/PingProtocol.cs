using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;

namespace Quids.Network.Protocols.Ping;

/// <summary>
/// <c>/ipfs/ping/1.0.0</c> (libp2p/specs ping/ping.md): the dialer writes 32 random bytes, the listener
/// echoes them, repeated on one stream until the dialer closes it. Both sides work on an already
/// negotiated stream.
/// </summary>
internal static class PingProtocol
{
    /// <summary>The protocol ID negotiated with multistream-select.</summary>
    public const string Id = "/ipfs/ping/1.0.0";

    /// <summary>Bytes in every ping and its echo: 32, fixed by the spec.</summary>
    public const int PayloadLength = 32;

    /// <summary>
    /// How long <see cref="PingAsync"/> waits for an echo by default: 10 s, js-libp2p's TIMEOUT; a live
    /// connection answers in well under a second.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the responder keeps a stream with no ping on it: 60 s, go-libp2p's pingTimeout, twice the
    /// default 30 s ping interval, so an abandoned stream does not stay open forever.
    /// </summary>
    public static readonly TimeSpan ResponderIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Inbound ping streams a peer may hold at once: 2, as the spec recommends (for the service).</summary>
    public const int MaxInboundStreamsPerPeer = 2;

    /// <summary>Outbound ping streams we keep per peer: 1, as the spec requires (for the service).</summary>
    public const int MaxOutboundStreamsPerPeer = 1;

    /// <summary>
    /// Sends one ping on <paramref name="pipe"/> and returns the round-trip time measured with
    /// <paramref name="timeProvider"/>. The stream can be reused for the next ping; only the 32 echoed
    /// bytes are consumed.
    /// </summary>
    /// <exception cref="PingException">The echo differs, the stream ended, or no echo came within the timeout.</exception>
    public static async ValueTask<TimeSpan> PingAsync(
        IDuplexPipe pipe,
        TimeProvider timeProvider,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeSpan limit = timeout ?? DefaultTimeout;

        byte[] payload = new byte[PayloadLength];
        RandomNumberGenerator.Fill(payload);

        using var timeoutSource = new CancellationTokenSource(limit, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        long started = timeProvider.GetTimestamp();
        try
        {
            FlushResult flush = await pipe.Output.WriteAsync(payload, linked.Token).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                throw new PingException(PingFailure.StreamClosed, $"{Id}: the remote stopped reading before the ping was sent.");
            }

            await ReadEchoAsync(pipe.Input, payload, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PingException(PingFailure.Timeout, $"{Id}: no echo within {limit.TotalSeconds:0.###} s.");
        }

        return timeProvider.GetElapsedTime(started);
    }

    private static async ValueTask ReadEchoAsync(PipeReader reader, byte[] payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= PayloadLength)
            {
                ReadOnlySequence<byte> echo = buffer.Slice(0, PayloadLength);
                bool same = Matches(echo, payload);
                reader.AdvanceTo(echo.End);
                if (!same)
                {
                    throw new PingException(PingFailure.Mismatch, $"{Id}: the echo differs from the {PayloadLength} bytes sent.");
                }

                return;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new PingException(
                    PingFailure.StreamClosed,
                    $"{Id}: the stream ended after {buffer.Length} of the {PayloadLength} echoed bytes.");
            }
        }
    }

    private static bool Matches(ReadOnlySequence<byte> echo, byte[] payload)
    {
        Span<byte> received = stackalloc byte[PayloadLength];
        echo.CopyTo(received);
        return received.SequenceEqual(payload);
    }

    /// <summary>
    /// Answers pings on <paramref name="pipe"/>: echoes every 32-byte payload until the remote ends its side,
    /// then completes ours. Returns the number of pings answered; also returns, after completing our side,
    /// when no ping arrived for <see cref="ResponderIdleTimeout"/>.
    /// </summary>
    /// <exception cref="PingException">The remote ended its side in the middle of a payload.</exception>
    public static async ValueTask<int> RespondAsync(
        IDuplexPipe pipe,
        TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(timeProvider);

        using var idle = new CancellationTokenSource(ResponderIdleTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        int answered = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await pipe.Input.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await pipe.Output.CompleteAsync().ConfigureAwait(false);
                return answered;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            int echoed = 0;
            while (buffer.Length >= PayloadLength)
            {
                ReadOnlySequence<byte> ping = buffer.Slice(0, PayloadLength);
                foreach (ReadOnlyMemory<byte> segment in ping)
                {
                    pipe.Output.Write(segment.Span);
                }

                buffer = buffer.Slice(ping.End);
                echoed++;
            }

            pipe.Input.AdvanceTo(buffer.Start, buffer.End);
            if (echoed > 0)
            {
                answered += echoed;
                FlushResult flush = await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    // The remote stopped reading our echoes: nothing left to answer.
                    return answered;
                }

                idle.CancelAfter(ResponderIdleTimeout);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                if (!buffer.IsEmpty)
                {
                    throw new PingException(
                        PingFailure.Truncated,
                        $"{Id}: the remote ended its side after {buffer.Length} bytes of a {PayloadLength}-byte ping.");
                }

                await pipe.Output.CompleteAsync().ConfigureAwait(false);
                return answered;
            }
        }
    }
}
