using System.Net;
using Quids.Network.Transport;
using Quids.Network.Transport.Tcp;

namespace Quids.Network.Tests.Transport;

public sealed class TcpTransportConformanceTests : TransportConformanceTests
{
    private protected override ITransport CreateTransport(long maxBufferSize) =>
        new TcpTransport(new TcpTransportOptions { MaxReadBufferSize = maxBufferSize, MaxWriteBufferSize = maxBufferSize });

    private protected override EndPoint ListenEndPoint => new IPEndPoint(IPAddress.Loopback, 0);

    private protected override async Task<EndPoint> GetClosedEndPointAsync()
    {
        // A port just released by a listener is, for the length of a test, one nobody listens on.
        await using ITransportListener listener = new TcpTransport().Listen(ListenEndPoint);
        return listener.LocalEndPoint;
    }
}
