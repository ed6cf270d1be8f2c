using System.Security.Cryptography;
using Quids.Network.Multistream;
using Quids.Network.Tests.Support;
using Quids.Network.Transport;

namespace Quids.Network.Tests.Network;

public partial class HostileInputTests
{
    [Fact]
    public async Task A_peer_that_sends_nothing_is_closed_after_the_handshake_timeout()
    {
        await using var arena = await Arena.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        await using var hostile = await arena.ConnectHostileAsync();

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("handshake timeout of 1 s");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_peer_that_trickles_a_valid_header_byte_by_byte_is_closed_at_the_handshake_timeout()
    {
        await using var arena = await Arena.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        await using var hostile = await arena.ConnectHostileAsync();

        // Slowloris: every byte is right, but 20 bytes at 100 ms each take twice the timeout.
        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            foreach (byte b in MultistreamHeader)
            {
                await hostile.SendAsync([b]);
                await Task.Delay(100, stop.Token);
            }
        });

        await Arena.AssertClosedAsync(hostile);
        await stop.CancelAsync();
        try
        {
            await trickle;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Stopped by us, or writing after the victim closed.
        }

        await arena.AssertLoggedAsync("security protocol negotiation", "handshake timeout of 1 s");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_peer_that_stalls_inside_the_noise_handshake_is_closed_after_the_handshake_timeout()
    {
        await using var arena = await Arena.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(1));
        await using var hostile = await arena.ConnectHostileAsync();
        await hostile.SelectNoiseAsync();
        await hostile.SendNoiseFrameAsync(RandomNumberGenerator.GetBytes(32));

        await Arena.AssertClosedAsync(hostile);
        await arena.AssertLoggedAsync("Noise handshake", "handshake timeout of 1 s");
        await arena.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_flood_of_half_open_connections_beyond_the_pending_limit_is_refused()
    {
        const int limit = 4;
        await using var arena = await Arena.StartAsync(o =>
        {
            o.MaxPendingInbound = limit;
            o.HandshakeTimeout = TimeSpan.FromSeconds(1);
        });
        var flood = new List<HostilePeer>();
        try
        {
            for (int i = 0; i < 3 * limit; i++)
            {
                try
                {
                    flood.Add(await arena.ConnectHostileAsync());
                }
                catch (TransportConnectException)
                {
                    // Refused so fast that the reset beat the end of our connect: refused all the same.
                }
            }

            // The good peer's established connection is not a pending one: it keeps working during the flood.
            await arena.Good.Ping.PingAsync(arena.GoodConnection, TimeSpan.FromSeconds(3));
            var closed = await Task.WhenAll(flood.Select(h => h.WaitUntilClosedAsync(CloseDeadline)));

            Assert.All(closed, Assert.True);
            await arena.AssertLoggedAsync("refused", $"{limit} pending handshakes");
            Assert.True(arena.Victim.Logs.Lines.Count(l => l.Contains("refused", StringComparison.Ordinal)) >= 2 * limit);
            await arena.AssertLoggedAsync("handshake timeout");
            await arena.AssertHealthyAsync();
        }
        finally
        {
            foreach (var hostile in flood)
            {
                await hostile.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("multistream")]
    [InlineData("noise")]
    [InlineData("yamux")]
    public async Task A_peer_that_resets_its_connection_mid_handshake_harms_nothing(string stage)
    {
        await using var arena = await Arena.StartAsync();
        await using var hostile = await arena.ConnectHostileAsync();
        using var identity = Quids.Network.Core.IdentityKeyPair.Generate();
        // Each stage is entered for sure once the victim's first message of it has arrived.
        switch (stage)
        {
            case "multistream":
                await hostile.SendAsync(MultistreamHeader[..7]);
                await MultistreamCodec.ReadMessageAsync(hostile.Pipe.Input);
                break;
            case "noise":
                await hostile.SelectNoiseAsync();
                await hostile.SendNoiseFrameAsync(RandomNumberGenerator.GetBytes(32));
                await hostile.ReceiveNoiseFrameAsync();
                break;
            default:
                await hostile.HandshakeAsync(identity);
                await hostile.SendAsync(MultistreamHeader);
                await MultistreamCodec.ReadMessageAsync(hostile.Pipe.Input);
                break;
        }

        hostile.Reset();

        await arena.AssertLoggedAsync("failed during", stage == "noise" ? "Noise handshake" : stage == "yamux" ? "muxer negotiation" : "security protocol negotiation");
        await arena.AssertHealthyAsync();
    }
}
