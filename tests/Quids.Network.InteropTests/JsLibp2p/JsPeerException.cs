namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>The js peer answered a command with an error, did not answer in time, or exited.</summary>
public sealed class JsPeerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JsPeerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public JsPeerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message (for serializers).</summary>
    public JsPeerException()
    {
    }
}
