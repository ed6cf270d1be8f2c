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

        string header = await MultistreamCodec.ReadMessageAsync(pipe.Input, cancellationToken).ConfigureAwait(false);
        if (header != MultistreamProtocol.Header)
        {
            throw new ProtocolNegotiationException(
                NegotiationFailure.WrongHeader,
                $"multistream-select: the dialer's first message is '{MultistreamCodec.Printable(header)}', not the header '{MultistreamProtocol.Header}'.");
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
