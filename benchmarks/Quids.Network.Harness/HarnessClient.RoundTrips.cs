using System.Diagnostics;
using System.Net;
using Quids.Network.Core;

namespace Quids.Network.Harness;

internal static partial class HarnessClient
{
    /// <summary>
    /// One-way delay of the relay used to count round trips: 25 ms, ten times a whole dial's CPU time here
    /// (about 1-3 ms), so a dial's duration rounds cleanly to a number of 50 ms round trips.
    /// </summary>
    private static readonly TimeSpan RelayDelay = TimeSpan.FromMilliseconds(25);

    /// <summary>Dials through the relay; the fastest counts, so one stalled by the machine does not.</summary>
    private const int RoundTripDials = 5;

    /// <summary>
    /// Measures the round trips a dial waits for above TCP: dials the server through a <see cref="DelayProxy"/>
    /// and divides the fastest dial by the relay's round trip. Expected from the protocol steps of the upgrade
    /// pipeline: 1 (multistream-select of <c>/noise</c> travels with Noise XX message 1 and is answered with
    /// message 2; message 3 leaves with the first data, and Yamux is chosen inside the Noise payloads).
    /// TCP's own handshake adds 1 on a real network; the relay cannot delay it, so it is added, not measured.
    /// </summary>
    private static async Task<(int AboveTcp, double FastestDialMs)> MeasureRoundTripsAsync(Multiaddress server)
    {
        if (!server.TryGetTcpEndPoint(out var endPoint) || endPoint is not IPEndPoint target || server.GetPeerId() is not { } peer)
        {
            throw new ArgumentException($"round trips: {server} is not an /ip4/../tcp/../p2p/.. address.");
        }

        await using var relay = DelayProxy.Start(target, RelayDelay);
        var through = Multiaddress.FromEndPoint(relay.EndPoint).WithPeerId(peer);
        using var identity = IdentityKeyPair.Generate();
        await using var swarm = NewSwarm(identity);
        double fastest = double.MaxValue;
        for (int i = 0; i < RoundTripDials; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var connection = await swarm.DialAsync(through);
            fastest = Math.Min(fastest, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await connection.DisposeAsync();
        }

        return ((int)Math.Round(fastest / (2 * RelayDelay.TotalMilliseconds)), fastest);
    }
}
