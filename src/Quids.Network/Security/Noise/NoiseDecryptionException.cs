namespace Quids.Network.Security.Noise;

/// <summary>
/// A Noise transport frame failed authentication (tampered, reordered or not from this session), or
/// the frame stream was malformed; the secure channel is closed when this happens.
/// </summary>
public sealed class NoiseDecryptionException : NoiseException
{
    /// <summary>Creates the exception with a message that names what was wrong.</summary>
    public NoiseDecryptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public NoiseDecryptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
