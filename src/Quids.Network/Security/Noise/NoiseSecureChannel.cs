using System.IO.Pipelines;
using Quids.Network.Core;

namespace Quids.Network.Security.Noise;

/// <summary>
/// The plaintext side of an authenticated Noise session over a raw duplex pipe. Exactly two loops
/// move bytes: one reads length-prefixed frames from the raw input and decrypts them into
/// <see cref="Input"/>; the other packs everything written to <see cref="Output"/> into as few
/// frames as possible and flushes the raw output once per batch. Back-pressure comes from the
/// plaintext pipes' pause thresholds and from the raw pipes' own.
/// </summary>
internal sealed partial class NoiseSecureChannel : IDuplexPipe, IAsyncDisposable
{
    private readonly IDuplexPipe _transport;
    private readonly NoiseCipherState _send;
    private readonly NoiseCipherState _receive;
    private readonly Pipe _inbound;
    private readonly Pipe _outbound;
    private Task _decryptLoop = Task.CompletedTask;
    private Task _encryptLoop = Task.CompletedTask;
    private volatile Exception? _fault;

    internal NoiseSecureChannel(IDuplexPipe transport, NoiseTransportCiphers ciphers, NoiseRemoteIdentity remote, byte[] handshakeHash)
    {
        _transport = transport;
        _send = ciphers.Send;
        _receive = ciphers.Receive;
        RemotePublicKey = remote.PublicKey;
        RemotePeerId = remote.PeerId;
        RemoteStreamMuxers = remote.StreamMuxers;
        HandshakeHash = handshakeHash;
        // The loop on the far side of each plaintext pipe (the muxer's read loop, this channel's encrypt
        // loop) runs inline when a flush wakes it: neither ever blocks a thread, and a thread-pool hop per
        // flush costs more than the work it would move. Writers still resume on the thread pool, so a
        // paused producer never runs inside its consumer's AdvanceTo.
        var options = new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.ThreadPool,
            pauseWriterThreshold: NoiseProtocol.PlaintextPauseThreshold,
            resumeWriterThreshold: NoiseProtocol.PlaintextResumeThreshold,
            useSynchronizationContext: false);
        _inbound = new Pipe(options);
        _outbound = new Pipe(options);
    }

    /// <summary>Decrypted bytes from the remote peer. Completes with a <see cref="NoiseDecryptionException"/> if a frame fails authentication.</summary>
    public PipeReader Input => _inbound.Reader;

    /// <summary>Plaintext to send; completing it closes the raw output after the queued bytes are sent.</summary>
    public PipeWriter Output => _outbound.Writer;

    /// <summary>The authenticated peer id of the remote.</summary>
    public PeerId RemotePeerId { get; }

    /// <summary>The remote identity public key that signed its Noise static key.</summary>
    public PublicKey RemotePublicKey { get; }

    /// <summary>The stream muxers the remote listed in its handshake payload, in its order of preference; empty if none.</summary>
    public IReadOnlyList<string> RemoteStreamMuxers { get; }

    /// <summary>The Noise handshake hash, unique to this session (channel binding).</summary>
    public ReadOnlyMemory<byte> HandshakeHash { get; }

    /// <summary>
    /// Completes when both loops have ended; faults with the first error (a
    /// <see cref="NoiseDecryptionException"/>, or the transport's) if the channel failed.
    /// </summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Completes when the encrypt loop has ended: everything written to <see cref="Output"/> before it was
    /// completed has been handed to the transport, or sending failed.
    /// </summary>
    internal Task SendCompletion => _encryptLoop;

    /// <summary>
    /// Aborts: stops both loops without waiting for the remote to read what is queued, waits for
    /// them and zeroes the transport keys. For a graceful close, complete <see cref="Output"/> and
    /// await <see cref="Completion"/> first.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _outbound.Writer.Complete();
        _inbound.Reader.Complete();
        _transport.Input.CancelPendingRead();
        _transport.Output.CancelPendingFlush();
        try
        {
            await Completion;
        }
        catch (Exception)
        {
            // The loops report their errors through the pipes they complete; disposal only waits.
        }

        _send.Dispose();
        _receive.Dispose();
    }

    internal void Start()
    {
        // Started inline, not queued to the thread pool: each loop runs only until a read has to wait (at once,
        // unless the peer's first frames came with its last handshake message), and two pool hops per
        // connection are a measurable part of setting one up.
        _decryptLoop = DecryptLoopAsync();
        _encryptLoop = EncryptLoopAsync();
        Completion = WhenBothLoopsEndAsync();
    }

    private async Task WhenBothLoopsEndAsync()
    {
        await Task.WhenAll(_decryptLoop, _encryptLoop);
        if (_fault is { } fault)
        {
            throw fault;
        }
    }

    private void Fail(Exception error)
    {
        // The first failure ends both directions: a session that failed to decrypt cannot be trusted to send.
        _fault ??= error;
        _outbound.Reader.CancelPendingRead();
        _transport.Output.CancelPendingFlush();
    }
}
