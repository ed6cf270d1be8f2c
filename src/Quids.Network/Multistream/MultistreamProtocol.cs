namespace Quids.Network.Multistream;

/// <summary>
/// multistream-select 1.0: names and limits. Every message is a varint length, then UTF-8 text ending in
/// <c>'\n'</c>, the newline counted in the length
/// (https://github.com/multiformats/multistream-select).
/// </summary>
internal static class MultistreamProtocol
{
    /// <summary>The header both sides send first.</summary>
    public const string Header = "/multistream/1.0.0";

    /// <summary>The listener's answer to a protocol it does not speak ("not available").</summary>
    public const string NotAvailable = "na";

    /// <summary>The request for the listener's protocol list.</summary>
    public const string List = "ls";

    /// <summary>
    /// Longest message in bytes, newline included: 1024, the limit of go-multistream and js-libp2p
    /// (MAX_PROTOCOL_LENGTH), so anything we send they accept and nothing larger is ever buffered.
    /// </summary>
    public const int MaxMessageLength = 1024;

    /// <summary>Bytes of a length prefix for <see cref="MaxMessageLength"/>; a longer prefix is already too large.</summary>
    public const int MaxLengthPrefixBytes = 2;

    /// <summary>
    /// Messages the listener answers after the header before giving up (<c>na</c>s and <c>ls</c> included),
    /// and the most protocols a dialer may propose: 32. Real dialers propose a handful of versions
    /// (e.g. /meshsub/1.2.0, 1.1.0, 1.0.0); the cap stops a peer from holding a stream in an endless
    /// guessing loop.
    /// </summary>
    public const int MaxProposals = 32;
}
