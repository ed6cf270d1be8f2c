using System.IO.Pipelines;

namespace Quids.Network.Transport;

/// <summary>The application's view of a connection: the input pipe's reader and the output pipe's writer.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    /// <inheritdoc />
    public PipeReader Input { get; } = input;

    /// <inheritdoc />
    public PipeWriter Output { get; } = output;
}
