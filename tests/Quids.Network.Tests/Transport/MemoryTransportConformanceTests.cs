using System.Net;
using Quids.Network.Transport;
using Quids.Network.Transport.Memory;

namespace Quids.Network.Tests.Transport;

public sealed class MemoryTransportConformanceTests : TransportConformanceTests
{
    private readonly MemoryNetwork _network = new();

    private protected override ITransport CreateTransport(long maxBufferSize) => new MemoryTransport(_network, maxBufferSize);

    private protected override EndPoint ListenEndPoint => new MemoryEndPoint("server");

    private protected override Task<EndPoint> GetClosedEndPointAsync() => Task.FromResult<EndPoint>(new MemoryEndPoint("nobody"));

    [Fact]
    public void Listening_on_port_zero_gets_a_free_port_on_the_same_fake_address()
    {
        var transport = new MemoryTransport(_network);
        var address = IPAddress.Parse("127.0.0.7");

        ITransportListener first = transport.Listen(new IPEndPoint(address, 0));
        ITransportListener second = transport.Listen(new IPEndPoint(address, 0));

        var bound = Assert.IsType<IPEndPoint>(first.LocalEndPoint);
        Assert.Equal(address, bound.Address);
        Assert.NotEqual(0, bound.Port);
        Assert.NotEqual(first.LocalEndPoint, second.LocalEndPoint);
    }

    [Fact]
    public void Listening_twice_on_one_endpoint_gives_a_typed_error()
    {
        var transport = new MemoryTransport(_network);
        transport.Listen(new MemoryEndPoint("taken"));

        var error = Assert.Throws<TransportListenException>(() => transport.Listen(new MemoryEndPoint("taken")));
        Assert.Contains("memory:taken", error.Message, StringComparison.Ordinal);
    }
}
