using System.IO.Pipelines;

namespace Quids.Network.Tests.Security.Noise;

internal sealed record TestDuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
