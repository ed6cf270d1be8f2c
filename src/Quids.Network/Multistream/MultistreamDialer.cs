using System.IO.Pipelines;

namespace Quids.Network.Multistream;

/// <summary>
/// The proposing side of multistream-select 1.0. The header and the first proposal always leave in one
/// flush, so a protocol the listener supports costs one round trip.
/// </summary>
internal static class MultistreamDialer
{
    /// <summary>
    /// Proposes <paramref name="protocols"/> in order until the listener accepts one, and returns it.
    /// Reads exactly the negotiation messages: any bytes after them stay in <paramref name="pipe"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty, longer than the limit, or holds a name that cannot be sent.</exception>
    /// <exception cref="ProtocolNegotiationException">The listener supports none of them or broke the wire rules.</exception>
    public static async ValueTask<string> SelectAsync(IDuplexPipe pipe, IReadOnlyList<string> protocols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count is 0 or > MultistreamProtocol.MaxProposals)
        {
            throw new ArgumentException(
                $"multistream-select needs between 1 and {MultistreamProtocol.MaxProposals} protocols to propose, not {protocols.Count}.",
                nameof(protocols));
        }

        foreach (string protocol in protocols)
        {
            MultistreamCodec.GetEncodedTextLength(protocol);
        }

        WriteProposal(pipe.Output, protocols[0]);
        await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);
        await ReadHeaderAsync(pipe.Input, cancellationToken).ConfigureAwait(false);

        for (int i = 0; ; i++)
        {
            if (i > 0)
            {
                MultistreamCodec.WriteMessage(pipe.Output, protocols[i]);
                await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);
            }

            if (await ReadAnswerAsync(pipe.Input, protocols[i], cancellationToken).ConfigureAwait(false))
            {
                return protocols[i];
            }

            if (i == protocols.Count - 1)
            {
                throw NoneSupported(protocols);
            }
        }
    }

    /// <summary>
    /// Optimistic selection of a single protocol: writes the header and the proposal in one flush without
    /// waiting for anything, then reads both answers. Same wire bytes as <see cref="SelectAsync"/> with one
    /// protocol; for zero-round-trip use, call <see cref="WriteProposal"/>, append the protocol's first
    /// message, flush, then <see cref="ConfirmAsync"/>.
    /// </summary>
    public static async ValueTask SelectOptimisticAsync(IDuplexPipe pipe, string protocol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        WriteProposal(pipe.Output, protocol);
        await FlushAsync(pipe.Output, cancellationToken).ConfigureAwait(false);
        await ConfirmAsync(pipe.Input, protocol, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends the header and a proposal for <paramref name="protocol"/> to <paramref name="writer"/> without
    /// flushing, so the caller can put the protocol's first bytes in the same flush. If the listener then
    /// answers <c>na</c>, those early bytes were read by it as proposals: only use this for a protocol the
    /// remote is known to speak, and drop the stream when <see cref="ConfirmAsync"/> throws.
    /// </summary>
    public static void WriteProposal(PipeWriter writer, string protocol)
    {
        MultistreamCodec.GetEncodedTextLength(protocol);
        MultistreamCodec.WriteMessage(writer, MultistreamProtocol.Header);
        MultistreamCodec.WriteMessage(writer, protocol);
    }

    /// <summary>Reads the listener's header and its answer to a proposal written by <see cref="WriteProposal"/>.</summary>
    /// <exception cref="ProtocolNegotiationException">The listener refused the protocol or broke the wire rules.</exception>
    public static async ValueTask ConfirmAsync(PipeReader reader, string protocol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        await ReadHeaderAsync(reader, cancellationToken).ConfigureAwait(false);
        if (!await ReadAnswerAsync(reader, protocol, cancellationToken).ConfigureAwait(false))
        {
            throw NoneSupported([protocol]);
        }
    }

    private static async ValueTask ReadHeaderAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        string header = await MultistreamCodec.ReadMessageAsync(reader, cancellationToken).ConfigureAwait(false);
        if (header != MultistreamProtocol.Header)
        {
            throw new ProtocolNegotiationException(
                NegotiationFailure.WrongHeader,
                $"multistream-select: the listener's first message is '{MultistreamCodec.Printable(header)}', not the header '{MultistreamProtocol.Header}'.");
        }
    }

    /// <returns>True when the listener echoed <paramref name="protocol"/>, false for <c>na</c>.</returns>
    private static async ValueTask<bool> ReadAnswerAsync(PipeReader reader, string protocol, CancellationToken cancellationToken)
    {
        string answer = await MultistreamCodec.ReadMessageAsync(reader, cancellationToken).ConfigureAwait(false);
        if (answer == protocol)
        {
            return true;
        }

        if (answer == MultistreamProtocol.NotAvailable)
        {
            return false;
        }

        throw new ProtocolNegotiationException(
            NegotiationFailure.UnexpectedResponse,
            $"multistream-select: the listener answered '{MultistreamCodec.Printable(answer)}' to the proposal '{protocol}' (expected the protocol or 'na').");
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

    private static ProtocolNegotiationException NoneSupported(IReadOnlyList<string> protocols) => new(
        NegotiationFailure.NoneSupported,
        $"multistream-select: none of {string.Join(", ", protocols)} were supported by the remote.")
    {
        Proposed = protocols,
    };
}
