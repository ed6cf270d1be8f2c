namespace Quids.Network.Security.Noise;

/// <summary>
/// The Noise handshake failed: a malformed or truncated message, a payload that does not parse, an
/// unsupported identity key type, a bad signature over the static key, or a limit exceeded.
/// </summary>
public class NoiseHandshakeException : NoiseException
{
    /// <summary>Creates the exception with a message that names what was wrong.</summary>
    public NoiseHandshakeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public NoiseHandshakeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
