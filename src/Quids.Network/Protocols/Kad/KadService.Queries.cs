using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Kad.Wire;
using MessageType = Quids.Network.Protocols.Kad.Wire.KadMessage.Types.MessageType;

namespace Quids.Network.Protocols.Kad;

internal sealed partial class KadService
{
    private static KadMessage NewRequest(MessageType type, ReadOnlySpan<byte> key) =>
        new() { Type = type, Key = ByteString.CopyFrom(key) };

    /// <summary>
    /// Drives a <see cref="KadLookup"/> for <paramref name="request"/>'s key over real streams: α requests in
    /// flight, each bounded by the request timeout, the whole by the lookup timeout. <paramref name="onResponse"/>
    /// sees every answer and may end the lookup early by returning true.
    /// </summary>
    private async Task<KadLookup> RunLookupAsync(KadMessage request, Func<KadPeerInfo, KadMessage, bool>? onResponse, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var target = KadKey.FromBytes(request.Key.Span);
        List<KadPeerInfo> seeds;
        lock (_table)
        {
            seeds = [.. _table.NearestPeers(target, _options.BucketSize).Select(e => e.ToPeerInfo())];
        }

        var lookup = new KadLookup(target, _swarm.LocalPeerId, seeds, _options.Alpha, _options.BucketSize);
        using var lookupCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        lookupCts.CancelAfter(_options.LookupTimeout);
        var running = new List<Task<(KadPeerInfo Peer, KadMessage? Response)>>();
        try
        {
            while (!lookupCts.IsCancellationRequested)
            {
                foreach (var peer in lookup.NextRequests())
                {
                    running.Add(QueryPeerAsync(peer, request, lookupCts.Token));
                }

                if (running.Count == 0)
                {
                    break;
                }

                var done = await Task.WhenAny(running);
                running.Remove(done);
                var (answered, response) = await done;
                if (response is null)
                {
                    lookup.OnFailure(answered.PeerId);
                    if (!lookupCts.IsCancellationRequested)
                    {
                        ForgetIfUnreachable(answered.PeerId);
                    }
                }
                else
                {
                    // It answered a DHT request, so it serves the DHT: the best evidence a table can get.
                    AddToTable(answered.PeerId, answered.Addresses);
                    var closer = KadProtocol.FromWire(response.CloserPeers)
                        .Select(p => p with { Addresses = FilterAddresses(p.PeerId, p.Addresses) });
                    lookup.OnSuccess(answered.PeerId, closer);
                    if (onResponse?.Invoke(answered, response) == true)
                    {
                        break;
                    }
                }

                if (lookup.IsFinished)
                {
                    break;
                }
            }
        }
        finally
        {
            await lookupCts.CancelAsync();
            await Task.WhenAll(running);
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_table)
        {
            _table.MarkRefreshed(target);
        }

        KadLog.LookupFinished(_logger, target.ToString()[..16], lookup.Succeeded, lookup.ClosestPeers.Count);
        return lookup;
    }

    /// <summary>
    /// Drops a table peer that failed a query and has no connection (as go does): it is likely gone, and
    /// keeping it would make every lookup wait for it again. A connected peer merely was slow; it stays.
    /// </summary>
    private void ForgetIfUnreachable(PeerId peer)
    {
        if (_swarm.FindConnection(peer) is not null)
        {
            return;
        }

        lock (_table)
        {
            if (_table.Find(peer) is null)
            {
                return;
            }

            var promoted = _table.Remove(peer);
            KadLog.PeerRemoved(_logger, peer, $"it failed a query and is not connected; replaced by {promoted?.PeerId.ToString() ?? "nobody"}");
        }
    }

    private async Task<(KadPeerInfo Peer, KadMessage? Response)> QueryPeerAsync(KadPeerInfo peer, KadMessage request, CancellationToken cancellationToken) =>
        (peer, await QueryAsync(peer, request, true, cancellationToken));

    /// <summary>
    /// Sends one request on a new stream (dialing the peer if needed) and reads the answer when
    /// <paramref name="expectResponse"/>. Never throws: null means the peer failed, timed out, or answered wrongly.
    /// </summary>
    private async Task<KadMessage?> QueryAsync(KadPeerInfo peer, KadMessage request, bool expectResponse, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            var connection = await ConnectAsync(peer, timeout.Token);
            var stream = await connection.OpenStreamAsync(KadProtocol.Id, _options.RequestTimeout, timeout.Token);
            await using (stream)
            {
                try
                {
                    await KadProtocol.SendAsync(stream.Output, request, timeout.Token);
                    KadMessage? response = request;
                    if (expectResponse)
                    {
                        response = await KadProtocol.ReadMessageAsync(stream.Input, timeout.Token)
                            ?? throw new KadException(KadFailure.EndOfStream, "kad: the stream ended before the response.");
                        if (response.Type != request.Type)
                        {
                            throw new KadException(KadFailure.UnexpectedResponse, $"kad: asked {request.Type}, the answer is {response.Type}.");
                        }
                    }

                    await stream.CloseWriteAsync();
                    return response;
                }
                catch
                {
                    stream.Reset();
                    throw;
                }
            }
        }
        catch (Exception e)
        {
            // One peer failing is normal in a DHT: the lookup moves on to the next candidate.
            string reason = e is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? $"no answer within {_options.RequestTimeout.TotalSeconds} s" : e.Message;
            KadLog.RequestFailed(_logger, peer.PeerId, request.Type.ToString(), reason);
            return null;
        }
    }

    /// <summary>The live connection to <paramref name="peer"/>, or a new one dialed at its first working address.</summary>
    private async Task<NetworkConnection> ConnectAsync(KadPeerInfo peer, CancellationToken cancellationToken)
    {
        if (_swarm.FindConnection(peer.PeerId) is { } existing)
        {
            return existing;
        }

        string? lastError = null;
        foreach (var address in peer.Addresses)
        {
            if (!address.TryGetTcpEndPoint(out _))
            {
                continue;
            }

            try
            {
                return await _swarm.DialAsync(address.GetPeerId() is null ? address.WithPeerId(peer.PeerId) : address, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lastError = e.Message;
            }
        }

        throw new KadException(
            KadFailure.Unreachable,
            lastError is null ? $"kad: no dialable address for {peer.PeerId}." : $"kad: {peer.PeerId} unreachable at {peer.Addresses.Count} addresses: {lastError}");
    }
}
