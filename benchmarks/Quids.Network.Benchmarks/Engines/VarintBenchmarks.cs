using BenchmarkDotNet.Attributes;
using Quids.Network.Core;

namespace Quids.Network.Benchmarks.Engines;

[MemoryDiagnoser]
public class VarintBenchmarks
{
    private readonly byte[] _buffer = new byte[Varint.MaxLength];

    [Params(1UL, 300UL, 1UL << 40)]
    public ulong Value { get; set; }

    [Benchmark]
    public ulong WriteThenRead()
    {
        int n = Varint.Write(_buffer, Value);
        Varint.TryRead(_buffer.AsSpan(0, n), out ulong value, out _);
        return value;
    }
}
