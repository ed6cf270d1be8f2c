using System.Buffers;
using System.IO.Pipelines;

namespace Quids.Network.Muxing.Yamux;

/// <summary>The read loop: parses frames from the transport and dispatches them, without waiting on anything else.</summary>
internal sealed partial class YamuxSession
{
    // The data frame being received: its payload may span several transport reads.
    private YamuxStream? _payloadStream;
    private uint _payloadRemaining;
    private YamuxFlags _payloadFlags;
    private Exception? _peerGoAwayError;

    private async Task ReadLoopAsync()
    {
        PipeReader input = _transport.Input;
        Exception? error = null;
        YamuxGoAwayCode? goAway = null;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                string? violation = ProcessFrames(ref buffer);
                if (violation is not null)
                {
                    error = new YamuxProtocolException(violation);
                    goAway = YamuxGoAwayCode.ProtocolError;
                    break;
                }

                if (_peerGoAwayError is not null)
                {
                    error = _peerGoAwayError;
                    break;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty || _payloadRemaining > 0)
                    {
                        error = new YamuxProtocolException("the connection ended in the middle of a frame");
                    }

                    break;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }

        EndSession(error, goAway);
    }

    /// <summary>Handles every complete frame (and partial payload) in <paramref name="buffer"/>; returns a protocol violation or null.</summary>
    private string? ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        Span<byte> headerBytes = stackalloc byte[YamuxFrameHeader.Size];
        while (true)
        {
            if (_payloadRemaining > 0)
            {
                if (buffer.IsEmpty)
                {
                    return null;
                }

                long take = Math.Min(buffer.Length, _payloadRemaining);
                _payloadStream?.WritePayload(buffer.Slice(0, take));
                buffer = buffer.Slice(take);
                _payloadRemaining -= (uint)take;
                if (_payloadRemaining > 0)
                {
                    return null;
                }

                ApplyEndFlags(_payloadStream, _payloadFlags);
                _payloadStream = null;
                continue;
            }

            if (buffer.Length < YamuxFrameHeader.Size || _peerGoAwayError is not null)
            {
                return null;
            }

            buffer.Slice(0, YamuxFrameHeader.Size).CopyTo(headerBytes);
            string? error = YamuxFrameHeader.TryRead(headerBytes, _options.MaxReceivePayload, out YamuxFrameHeader header);
            if (error is not null)
            {
                return error;
            }

            buffer = buffer.Slice(YamuxFrameHeader.Size);
            error = header.Type switch
            {
                YamuxFrameType.Ping => OnPing(header),
                YamuxFrameType.GoAway => OnGoAway(header),
                _ => OnStreamFrame(header),
            };
            if (error is not null)
            {
                return error;
            }
        }
    }

    private string? OnStreamFrame(YamuxFrameHeader header)
    {
        uint id = header.StreamId;
        YamuxStream? stream;
        if (header.HasFlag(YamuxFlags.Syn))
        {
            string? error = OnInboundSyn(id, out stream);
            if (error is not null)
            {
                return error;
            }
        }
        else
        {
            bool neverOpened;
            lock (_gate)
            {
                _streams.TryGetValue(id, out stream);
                neverOpened = stream is null && _engine.IsUnallocatedOwnId(id);
            }

            // Frames for streams closed or reset a moment ago are normal (they crossed our RST or FIN):
            // go-yamux and js-yamux drop them too. Only ids we never handed out are an error.
            if (neverOpened)
            {
                return $"{header.Type} frame for stream {id}, which this side never opened";
            }
        }

        if (stream is not null)
        {
            if (header.HasFlag(YamuxFlags.Ack))
            {
                stream.OnAck();
                if (stream.TryReleaseBacklogSlot())
                {
                    _outboundBacklog.Release();
                }
            }

            if (header.Type == YamuxFrameType.WindowUpdate && !stream.TryAddSendWindow(header.Length))
            {
                return $"window update of {header.Length} bytes on stream {id} overflows the 32-bit send window";
            }
        }

        if (header.Type == YamuxFrameType.Data && header.Length > 0)
        {
            if (stream is not null && !stream.TryReceiveData(header.Length, out string? error))
            {
                return error;
            }

            _payloadStream = stream;
            _payloadRemaining = header.Length;
            _payloadFlags = header.Flags;
            return null;
        }

        ApplyEndFlags(stream, header.Flags);
        return null;
    }

    private string? OnInboundSyn(uint id, out YamuxStream? stream)
    {
        stream = null;
        YamuxInboundDecision decision;
        bool alreadyOpen;
        lock (_gate)
        {
            alreadyOpen = _streams.ContainsKey(id);
            decision = _engine.OnInboundSyn(id, alreadyOpen);
            if (decision == YamuxInboundDecision.Accept)
            {
                stream = new YamuxStream(this, id, outbound: false, _options, _timeProvider);
                _streams.Add(id, stream);
                StartPingLocked();
            }
        }

        switch (decision)
        {
            case YamuxInboundDecision.Accept:
                stream!.StartSender();
                _accepted.Writer.TryWrite(stream);
                return null;
            case YamuxInboundDecision.ProtocolError:
                return alreadyOpen
                    ? $"SYN for stream {id}, which is already open"
                    : $"SYN for stream {id}, an id of this side's parity ({(IsClient ? "odd, the dialer's" : "even, the listener's")})";
            default:
                if (Volatile.Read(ref _queuedResets) >= _options.MaxQueuedResets)
                {
                    return $"stream flood: SYN for stream {id} refused ({decision}) while {_options.MaxQueuedResets} resets of refused streams are still queued";
                }

                // Refused (limits or closing): the stream never exists here; its payload, if any, is dropped.
                EnqueueControl(new YamuxFrameHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, id, 0));
                return null;
        }
    }

    private static void ApplyEndFlags(YamuxStream? stream, YamuxFlags flags)
    {
        if (stream is null)
        {
            return;
        }

        if ((flags & YamuxFlags.Rst) != 0)
        {
            stream.OnRemoteReset();
        }
        else if ((flags & YamuxFlags.Fin) != 0)
        {
            stream.OnRemoteFin();
        }
    }

    private string? OnPing(YamuxFrameHeader header)
    {
        if (header.HasFlag(YamuxFlags.Syn))
        {
            // A ping flood must not grow our queue: beyond the cap, pings go unanswered.
            if (Interlocked.Increment(ref _pendingPongs) > _options.MaxPendingPongs)
            {
                Interlocked.Decrement(ref _pendingPongs);
                return null;
            }

            EnqueueControl(new YamuxFrameHeader(YamuxFrameType.Ping, YamuxFlags.Ack, 0, header.Length));
        }
        else if (header.HasFlag(YamuxFlags.Ack))
        {
            TimeSpan? roundTrip;
            TaskCompletionSource<TimeSpan>? pong = null;
            lock (_gate)
            {
                roundTrip = _engine.OnPong(header.Length);
                if (roundTrip is not null)
                {
                    _pings.Remove(header.Length, out pong);
                }
            }

            if (roundTrip is { } rtt)
            {
                Volatile.Write(ref _roundTripTicks, Math.Max(rtt.Ticks, 1));
                pong?.TrySetResult(rtt);
            }
        }

        return null;
    }

    private string? OnGoAway(YamuxFrameHeader header)
    {
        if (header.Length == (uint)YamuxGoAwayCode.Normal)
        {
            lock (_gate)
            {
                _engine.OnRemoteGoAway();
            }

            return null;
        }

        string name = header.Length switch
        {
            (uint)YamuxGoAwayCode.ProtocolError => "protocol error",
            (uint)YamuxGoAwayCode.InternalError => "internal error",
            _ => "an unknown code",
        };
        _peerGoAwayError = new YamuxProtocolException(
            $"the peer ended the session with Go Away {header.Length} ({name})",
            header.Length == (uint)YamuxGoAwayCode.InternalError ? YamuxGoAwayCode.InternalError : YamuxGoAwayCode.ProtocolError);
        return null;
    }
}
