namespace Quids.Network.Protocols.Perf;

/// <summary>Settings of the perf server.</summary>
internal sealed class PerfOptions
{
    /// <summary>
    /// Whether this node answers <c>/perf/1.0.0</c>. Defaults to false: the spec says perf SHOULD NOT be on by
    /// default, since it lets any peer make the node send data.
    /// </summary>
    public bool ServerEnabled { get; set; }

    /// <summary>Most bytes one request may ask the server to send. Defaults to 16 GiB.</summary>
    public long MaxDownloadBytes { get; set; } = 16L << 30;
}
