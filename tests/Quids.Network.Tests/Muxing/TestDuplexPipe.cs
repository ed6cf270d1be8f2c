using System.IO.Pipelines;

namespace Quids.Network.Tests.Muxing;

/// <summary>An in-memory connection end: reads one pipe, writes the other.</summary>
internal sealed class TestDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;

    /// <summary>Two connected ends, like the two sides of a socket.</summary>
    public static (TestDuplexPipe A, TestDuplexPipe B) CreatePair()
    {
        var aToB = new Pipe();
        var bToA = new Pipe();
        return (new TestDuplexPipe(bToA.Reader, aToB.Writer), new TestDuplexPipe(aToB.Reader, bToA.Writer));
    }
}
