using System.IO.Pipelines;

namespace Quids.Network.Tests.Security.Noise;

/// <summary>Two raw duplex pipes joined back to back in memory; the initiator's bytes pass a <see cref="RawRelay"/>.</summary>
internal sealed class NoiseTestLink
{
    public NoiseTestLink()
    {
        var responderToInitiator = new Pipe(new PipeOptions(useSynchronizationContext: false));
        InitiatorToResponder = new RawRelay();
        Initiator = new TestDuplexPipe(responderToInitiator.Reader, InitiatorToResponder.Writer);
        Responder = new TestDuplexPipe(InitiatorToResponder.Reader, responderToInitiator.Writer);
    }

    public TestDuplexPipe Initiator { get; }

    public TestDuplexPipe Responder { get; }

    public RawRelay InitiatorToResponder { get; }
}
