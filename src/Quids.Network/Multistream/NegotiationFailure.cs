namespace Quids.Network.Multistream;

/// <summary>What went wrong while two peers agreed on a protocol with multistream-select.</summary>
public enum NegotiationFailure
{
    /// <summary>The remote answered <c>na</c> to every protocol that was proposed.</summary>
    NoneSupported,

    /// <summary>The remote proposed more protocols than the listener answers in one negotiation.</summary>
    TooManyProposals,

    /// <summary>A length prefix announced a message longer than the 1024-byte limit.</summary>
    MessageTooLong,

    /// <summary>A length prefix was not a valid, minimally encoded varint.</summary>
    InvalidLengthPrefix,

    /// <summary>A message was empty or did not end with a newline.</summary>
    MissingNewline,

    /// <summary>A message was not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The first message was not the <c>/multistream/1.0.0</c> header.</summary>
    WrongHeader,

    /// <summary>The remote answered a proposal with something other than the protocol or <c>na</c>.</summary>
    UnexpectedResponse,

    /// <summary>The stream ended before negotiation finished.</summary>
    EndOfStream,
}
