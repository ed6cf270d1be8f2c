namespace Quids.Network.Protocols.Mdns;

/// <summary>Thrown when mDNS discovery cannot start: no socket on port 5353 or no multicast-capable interface.</summary>
public sealed class MdnsException : Exception
{
    /// <summary>Creates an exception with a message saying what went wrong.</summary>
    public MdnsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public MdnsException()
        : this("mdns: discovery could not start.")
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public MdnsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
