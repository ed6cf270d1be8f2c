using Google.Protobuf;
using Quids.Network.Core;
using Quids.Network.Diagnostics;
using Quids.Network.Network;
using Quids.Network.Protocols.Kad.Wire;
using MessageType = Quids.Network.Protocols.Kad.Wire.KadMessage.Types.MessageType;

namespace Quids.Network.Protocols.Kad;

internal sealed partial class KadService
{
    /// <summary>
    /// Serves one inbound stream: answers requests in order until the requester closes its side. A bad
    /// message, a flood or an idle stream resets only this stream, with the reason logged.
    /// </summary>
    private async Task HandleStreamAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        var peer = incoming.Connection.RemotePeerId;
        var stream = incoming.Stream;
        if (!EnterStream(peer))
        {
            KadLog.TooManyStreams(_logger, peer, _options.MaxInboundStreamsPerPeer);
            stream.Reset();
            return;
        }

        try
        {
            while (true)
            {
                // One deadline per exchange covers both the wait for the request and the write of the answer,
                // so a peer that neither sends nor reads holds its stream slot for at most the idle timeout.
                using var exchange = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                exchange.CancelAfter(_options.InboundIdleTimeout);
                try
                {
                    var request = await KadProtocol.ReadMessageAsync(stream.Input, exchange.Token);
                    if (request is null)
                    {
                        break;
                    }

                    if (!_limiter.TryAcquire(peer))
                    {
                        KadLog.RateLimited(_logger, peer, _options.MaxRequestsPerPeerPerSecond);
                        stream.Reset();
                        return;
                    }

                    if (Answer(peer, request) is { } response)
                    {
                        await KadProtocol.SendAsync(stream.Output, response, exchange.Token);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new KadException(KadFailure.EndOfStream, $"kad: the stream was idle for {_options.InboundIdleTimeout.TotalSeconds} s.");
                }
            }

            await stream.CloseWriteAsync();
        }
        catch (KadException e)
        {
            KadLog.MessageRejected(_logger, peer, e.Message);
            stream.Reset();
        }
        finally
        {
            LeaveStream(peer);
        }
    }

    /// <summary>The response to <paramref name="request"/>, or null when the type has none (ADD_PROVIDER).</summary>
    /// <exception cref="KadException">The request is invalid; the stream is reset.</exception>
    internal KadMessage? Answer(PeerId from, KadMessage request)
    {
        if (request.Type == MessageType.Ping)
        {
            // Deprecated by the spec but still sent by old peers: an empty PING answers it.
            return new KadMessage { Type = MessageType.Ping };
        }

        if (request.Key.IsEmpty)
        {
            throw new KadException(KadFailure.Malformed, $"kad: a {request.Type} request has no key.");
        }

        if (request.Key.Length > _options.MaxKeyLength)
        {
            throw new KadException(KadFailure.LimitExceeded, $"kad: a {request.Type} request has a {request.Key.Length}-byte key; the limit is {_options.MaxKeyLength}.");
        }

        switch (request.Type)
        {
            case MessageType.FindNode:
                return WithCloserPeers(new KadMessage { Type = MessageType.FindNode, Key = request.Key }, from);
            case MessageType.GetValue:
                var getValue = WithCloserPeers(new KadMessage { Type = MessageType.GetValue, Key = request.Key }, from);
                if (Records.TryGet(request.Key.Span, out byte[] value, out var received))
                {
                    getValue.Record = new Wire.KadRecord
                    {
                        Key = request.Key,
                        Value = ByteString.CopyFrom(value),
                        TimeReceived = received.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    };
                }

                return getValue;
            case MessageType.PutValue:
                StoreRecord(from, request);
                return request;
            case MessageType.AddProvider:
                StoreProviders(from, request);
                return null;
            case MessageType.GetProviders:
                var providers = WithCloserPeers(new KadMessage { Type = MessageType.GetProviders, Key = request.Key }, from);
                foreach (var provider in Providers.Get(request.Key.Span))
                {
                    providers.ProviderPeers.Add(KadProtocol.ToWire(provider, _swarm.FindConnection(provider.PeerId) is not null));
                }

                return providers;
            default:
                throw new KadException(KadFailure.Malformed, $"kad: unknown message type {(int)request.Type}.");
        }
    }

    private void StoreRecord(PeerId from, KadMessage request)
    {
        string? refusal = null;
        if (request.Record is null)
        {
            refusal = "the PUT_VALUE has no record";
        }
        else if (request.Record.Key != request.Key)
        {
            refusal = "the record's key differs from the message's key";
        }
        else
        {
            refusal = Records.Put(request.Key.Span, request.Record.Value.Span) switch
            {
                KadStoreResult.ValueTooLarge => $"the value is {request.Record.Value.Length} bytes; the limit is {_options.MaxRecordSize}",
                KadStoreResult.StoreFull => $"the store holds its maximum of {_options.MaxRecords} records",
                KadStoreResult.KeyTooLong => $"the key is {request.Key.Length} bytes; the limit is {_options.MaxKeyLength}",
                _ => null,
            };
        }

        if (refusal is not null)
        {
            KadLog.RecordRejected(_logger, from, refusal);
            throw new KadException(KadFailure.LimitExceeded, $"kad: record refused: {refusal}.");
        }
    }

    private void StoreProviders(PeerId from, KadMessage request)
    {
        foreach (var provider in KadProtocol.FromWire(request.ProviderPeers))
        {
            if (provider.PeerId != from)
            {
                // Anyone could announce anyone: only the sender's own announcement counts (go and js agree).
                KadLog.ProviderRejected(_logger, from, $"it announces another peer ({provider.PeerId})");
                continue;
            }

            var addresses = FilterAddresses(from, provider.Addresses);
            if (Providers.Add(request.Key.Span, provider with { Addresses = addresses }) is var result && result != KadStoreResult.Stored)
            {
                KadLog.ProviderRejected(_logger, from, result.ToString());
            }
        }
    }

    /// <summary>Fills closerPeers: the k closest peers we know with addresses, without the requester.</summary>
    private KadMessage WithCloserPeers(KadMessage response, PeerId requester)
    {
        var target = KadKey.FromBytes(response.Key.Span);
        List<KadPeerInfo> closest;
        lock (_table)
        {
            closest = [.. _table.NearestPeers(target, _options.BucketSize + 1)
                .Where(e => e.PeerId != requester && e.Addresses.Count > 0)
                .Take(_options.BucketSize)
                .Select(e => e.ToPeerInfo())];
        }

        if (target.Equals(_table.LocalKey))
        {
            // FIND_NODE for ourselves: we are the exact match, with our addresses (as go answers).
            closest.Insert(0, new KadPeerInfo(_swarm.LocalPeerId, _swarm.ListenAddresses));
        }

        foreach (var peer in closest)
        {
            response.CloserPeers.Add(KadProtocol.ToWire(peer, _swarm.FindConnection(peer.PeerId) is not null));
        }

        return response;
    }

    private bool EnterStream(PeerId peer)
    {
        lock (_inboundStreams)
        {
            int open = _inboundStreams.GetValueOrDefault(peer);
            if (open >= _options.MaxInboundStreamsPerPeer)
            {
                return false;
            }

            _inboundStreams[peer] = open + 1;
            return true;
        }
    }

    private void LeaveStream(PeerId peer)
    {
        lock (_inboundStreams)
        {
            if (--_inboundStreams[peer] == 0)
            {
                _inboundStreams.Remove(peer);
            }
        }
    }
}
