namespace Quids.Network.Security.Noise;

/// <summary>The Noise security layer failed: a message could not be built, decrypted or parsed.</summary>
public class NoiseException : Exception
{
    /// <summary>Creates the exception with a message that names what was wrong.</summary>
    public NoiseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public NoiseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
