using System.Buffers;
using System.IO.Pipelines;
using Quids.Network.Core;

namespace Quids.Network.Multistream;

/// <summary>
/// The answering side of multistream-select 1.0: sends its header at once, then answers each proposal with
/// the protocol (accepted), <c>na</c>, or for <c>ls</c> the protocol list, until one is accepted.
/// </summary>
internal static class MultistreamListener
{
    /// <summary>The header as the dialer must send it: length 19, the text, the newline.</summary>
    private static readonly byte[] HeaderMessage = [(byte)(MultistreamProtocol.Header.Length + 1), .. System.Text.Encoding.ASCII.GetBytes(MultistreamProtocol.Header + "\n")];

    /// <summary>Negotiates against a fixed set of protocols, which also answers <c>ls</c>.</summary>
    public static ValueTask<string> NegotiateAsync(IDuplexPipe pipe, IReadOnlyCollection<string> supported, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(supported);
        return NegotiateAsync(pipe, supported.Contains, supported, cancellationToken);
    }

    /// <summary>
    /// Answers proposals until <paramref name="isSupported"/> accepts one, and returns it. <c>ls</c> is
    /// answered with <paramref name="listed"/> when given and small enough for one message, else with
    /// <c>na</c>. Reads exactly the negotiation messages: any bytes after them stay in <paramref name="pipe"/>.
    /// </summary>
    /// <exception cref="ProtocolNegotiationException">
    /// The dialer broke the wire rules, proposed more than <see cref="MultistreamProtocol.MaxProposals"/>
    /// times, or closed the stream.
    /// </exception>
    public static async ValueTask<string> NegotiateAsync(
        IDuplexPipe pipe,
        Func<string, bool> isSupported,
        IReadOnlyCollection<string>? listed = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(isSupported);

        // Our header goes out before theirs arrives: the dialer does not wait for it, so neither do we.
        MultistreamCodec.WriteMessage(pipe.Output, MultistreamProtocol.Header);
        await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);

        await CheckHeaderPrefixAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
        string header = await MultistreamCodec.ReadMessageAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
        if (header != MultistreamProtocol.Header)
        {
            throw WrongHeader(header);
        }

        for (int answered = 0; answered < MultistreamProtocol.MaxProposals; answered++)
        {
            string proposal = await MultistreamCodec.ReadMessageAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
            if (proposal != MultistreamProtocol.Header && proposal != MultistreamProtocol.List && isSupported(proposal))
            {
                MultistreamCodec.WriteMessage(pipe.Output, proposal);
                await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);
                return proposal;
            }

            if (proposal == MultistreamProtocol.List && listed is not null && TryWriteList(pipe.Output, listed))
            {
                await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);
                continue;
            }

            MultistreamCodec.WriteMessage(pipe.Output, MultistreamProtocol.NotAvailable);
            await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);
        }

        throw new ProtocolNegotiationException(
            NegotiationFailure.TooManyProposals,
            $"multistream-select: the dialer sent {MultistreamProtocol.MaxProposals} proposals without one being supported; giving up.");
    }

    /// <summary>
    /// Writes the <c>ls</c> answer as go and js do: one message holding each protocol as its own
    /// length-prefixed line, then a final newline. Writes nothing and returns false when it would not fit
    /// in <see cref="MultistreamProtocol.MaxMessageLength"/>, since the dialer could not read it.
    /// </summary>
    internal static bool TryWriteList(PipeWriter writer, IReadOnlyCollection<string> protocols)
    {
        var body = new ArrayBufferWriter<byte>();
        foreach (string protocol in protocols)
        {
            if (body.WrittenCount > MultistreamProtocol.MaxMessageLength)
            {
                return false;
            }

            int length = MultistreamCodec.GetEncodedTextLength(protocol) + 1;
            Varint.Write(body, (ulong)length);
            System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, protocol, body);
            body.Write("\n"u8);
        }

        body.Write("\n"u8);
        if (body.WrittenCount > MultistreamProtocol.MaxMessageLength)
        {
            return false;
        }

        Varint.Write(writer, (ulong)body.WrittenCount);
        writer.Write(body.WrittenSpan);
        return true;
    }

    /// <summary>
    /// Fails as soon as the first bytes differ from the header message, without consuming anything. Without
    /// it, text from another protocol (an HTTP request: 'G' reads as a 71-byte length) would be waited on
    /// until the handshake timeout instead of being refused at once.
    /// </summary>
    private static async ValueTask CheckHeaderPrefixAsync(PipeReader input, CancellationToken cancellationToken)
    {
        byte[] received = new byte[HeaderMessage.Length];
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            int length = (int)Math.Min(buffer.Length, HeaderMessage.Length);
            buffer.Slice(0, length).CopyTo(received);
            if (!received.AsSpan(0, length).SequenceEqual(HeaderMessage.AsSpan(0, length)))
            {
                input.AdvanceTo(buffer.Start);
                throw TryReadWholeMessage(buffer) is { } text ? WrongHeader(text) : WrongHeaderBytes(received.AsSpan(0, length));
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("multistream-select: the read was canceled.");
            }

            if (length == HeaderMessage.Length || result.IsCompleted)
            {
                // Matching so far; reading the message itself reports an early end.
                input.AdvanceTo(buffer.Start);
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>A complete, well-formed message at the start of <paramref name="buffer"/>, to quote it; else null.</summary>
    private static string? TryReadWholeMessage(ReadOnlySequence<byte> buffer)
    {
        try
        {
            return MultistreamCodec.TryReadMessage(ref buffer);
        }
        catch (ProtocolNegotiationException)
        {
            // Not a message at all: the caller quotes the raw bytes instead.
            return null;
        }
    }

    private static ProtocolNegotiationException WrongHeader(string header) => new(
        NegotiationFailure.WrongHeader,
        $"multistream-select: the dialer's first message is '{MultistreamCodec.Printable(header)}', not the header '{MultistreamProtocol.Header}'.");

    private static ProtocolNegotiationException WrongHeaderBytes(ReadOnlySpan<byte> received)
    {
        var text = new System.Text.StringBuilder();
        foreach (byte b in received)
        {
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return new ProtocolNegotiationException(
            NegotiationFailure.WrongHeader,
            $"multistream-select: the dialer's first bytes \"{text}\" do not begin the header '{MultistreamProtocol.Header}' (another protocol?).");
    }

    private static async ValueTask FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        FlushResult flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flush.IsCompleted)
        {
            throw new ProtocolNegotiationException(
                NegotiationFailure.EndOfStream,
                "multistream-select: the remote stopped reading before negotiation finished.");
        }
    }
}
