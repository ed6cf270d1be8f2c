using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Quids.Network.Core;
using Quids.Network.Security.Noise;

namespace Quids.Network.Tests.Security.Noise;

public sealed class NoiseSecureChannelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Carries_several_MiB_each_way_byte_exact()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        byte[] fromAlice = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 12345);
        byte[] fromBob = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 7);

        Task sendA = SendInPiecesAsync(pair.Alice.Output, fromAlice, 40_000);
        Task sendB = SendInPiecesAsync(pair.Bob.Output, fromBob, 1_000_000);
        Task<byte[]> receiveB = ReadToEndAsync(pair.Bob.Input);
        Task<byte[]> receiveA = ReadToEndAsync(pair.Alice.Input);

        await Task.WhenAll(sendA, sendB).WaitAsync(Timeout);
        Assert.Equal(fromAlice, await receiveB.WaitAsync(Timeout));
        Assert.Equal(fromBob, await receiveA.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Packs_many_small_writes_queued_together_into_as_few_frames_as_possible()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        pair.Link.InitiatorToResponder.StartRecording();

        // 2000 writes of 100 bytes, one flush: 200000 bytes fit in 4 frames of at most 65519.
        byte[] message = new byte[100];
        for (int i = 0; i < 2000; i++)
        {
            message[0] = (byte)i;
            pair.Alice.Output.Write(message);
        }

        await pair.Alice.Output.FlushAsync();
        await pair.Alice.Output.CompleteAsync();
        byte[] received = await ReadToEndAsync(pair.Bob.Input).WaitAsync(Timeout);
        Assert.Equal(200_000, received.Length);

        List<int> frames = pair.Link.InitiatorToResponder.RecordedFrameLengths();
        Assert.Equal([65535, 65535, 65535, 3443 + 16], frames);
    }

    [Fact]
    public async Task Many_small_flushed_writes_arrive_complete_and_in_order()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        pair.Link.InitiatorToResponder.StartRecording();
        for (int i = 0; i < 500; i++)
        {
            await pair.Alice.Output.WriteAsync(BitConverter.GetBytes(i));
        }

        await pair.Alice.Output.CompleteAsync();
        byte[] received = await ReadToEndAsync(pair.Bob.Input).WaitAsync(Timeout);
        Assert.Equal(2000, received.Length);
        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(i, BitConverter.ToInt32(received, i * 4));
        }

        Assert.InRange(pair.Link.InitiatorToResponder.RecordedFrameLengths().Count, 1, 500);
    }

    [Fact]
    public async Task A_corrupted_transport_frame_ends_the_channel_with_a_decryption_error()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        pair.Link.InitiatorToResponder.CorruptNextChunk();
        await pair.Alice.Output.WriteAsync(new byte[100]);

        var error = await Assert.ThrowsAsync<NoiseDecryptionException>(() => ReadToEndAsync(pair.Bob.Input).WaitAsync(Timeout));
        Assert.Contains("transport frame 1 (116 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Contains(pair.AliceIdentity.PeerId.ToString(), error.Message, StringComparison.Ordinal);

        // Bob's side is torn down in both directions: its raw output completes with the same error.
        await Assert.ThrowsAsync<NoiseDecryptionException>(() => pair.Bob.Completion.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_frame_shorter_than_the_tag_ends_the_channel()
    {
        await using var pair = await ChannelPair.ConnectAsync();

        // Nothing else writes to Alice's raw output while her application is idle.
        await pair.Link.Initiator.Output.WriteAsync(new byte[] { 0x00, 0x05, 1, 2, 3, 4, 5 });

        var error = await Assert.ThrowsAsync<NoiseDecryptionException>(() => ReadToEndAsync(pair.Bob.Input).WaitAsync(Timeout));
        Assert.Contains("is 5 bytes, shorter than the 16-byte tag", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_that_closes_inside_a_frame_ends_the_channel_with_an_error()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        await pair.Link.Initiator.Output.WriteAsync(new byte[] { 0x01, 0x00, 1, 2, 3 });
        await pair.Link.Initiator.Output.CompleteAsync();

        var error = await Assert.ThrowsAsync<NoiseDecryptionException>(() => ReadToEndAsync(pair.Bob.Input).WaitAsync(Timeout));
        Assert.Contains("closed inside transport frame 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_that_stops_reading_pauses_the_writer_after_a_bounded_amount()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        byte[] chunk = new byte[64 * 1024];
        long accepted = 0;
        Task<FlushResult>? paused = null;
        while (accepted < 16 * 1024 * 1024)
        {
            ValueTask<FlushResult> write = pair.Alice.Output.WriteAsync(chunk);
            accepted += chunk.Length;
            if (!write.IsCompleted)
            {
                Task<FlushResult> task = write.AsTask();
                if (await Task.WhenAny(task, Task.Delay(500)) != task)
                {
                    paused = task;
                    break;
                }
            }
        }

        // Alice's plaintext pipe, the raw pipes and Bob's plaintext pipe together hold a few MiB at most (each
        // pauses at its threshold, plus what the loops have in hand); 8 MiB leaves room for a slow scheduler.
        Assert.NotNull(paused);
        Assert.InRange(accepted, NoiseProtocol.PlaintextPauseThreshold, 8 * 1024 * 1024);

        Task<byte[]> receive = ReadToEndAsync(pair.Bob.Input);
        await paused.WaitAsync(Timeout);
        await pair.Alice.Output.CompleteAsync();
        Assert.Equal(accepted, (await receive.WaitAsync(Timeout)).Length);
    }

    [Fact]
    public async Task Completing_the_output_closes_the_remote_input_gracefully()
    {
        await using var pair = await ChannelPair.ConnectAsync();
        await pair.Alice.Output.WriteAsync("hello"u8.ToArray());
        await pair.Alice.Output.CompleteAsync();

        Assert.Equal("hello"u8.ToArray(), await ReadToEndAsync(pair.Bob.Input).WaitAsync(Timeout));
    }

    private static async Task SendInPiecesAsync(PipeWriter output, byte[] data, int piece)
    {
        for (int offset = 0; offset < data.Length; offset += piece)
        {
            await output.WriteAsync(data.AsMemory(offset, Math.Min(piece, data.Length - offset)));
        }

        await output.CompleteAsync();
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader input)
    {
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received.WrittenSpan.ToArray();
            }
        }
    }

    private sealed class ChannelPair : IAsyncDisposable
    {
        private ChannelPair(NoiseTestLink link, IdentityKeyPair alice, IdentityKeyPair bob, NoiseSecureChannel aliceChannel, NoiseSecureChannel bobChannel)
        {
            Link = link;
            AliceIdentity = alice;
            BobIdentity = bob;
            Alice = aliceChannel;
            Bob = bobChannel;
        }

        public NoiseTestLink Link { get; }

        public IdentityKeyPair AliceIdentity { get; }

        public IdentityKeyPair BobIdentity { get; }

        public NoiseSecureChannel Alice { get; }

        public NoiseSecureChannel Bob { get; }

        public static async Task<ChannelPair> ConnectAsync()
        {
            var alice = IdentityKeyPair.Generate();
            var bob = IdentityKeyPair.Generate();
            var link = new NoiseTestLink();
            using var cts = new CancellationTokenSource(Timeout);
            Task<NoiseSecureChannel> dial = NoiseHandshake.RunAsync(link.Initiator, alice, true, bob.PeerId, cancellationToken: cts.Token);
            Task<NoiseSecureChannel> accept = NoiseHandshake.RunAsync(link.Responder, bob, false, cancellationToken: cts.Token);
            return new ChannelPair(link, alice, bob, await dial, await accept);
        }

        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
            AliceIdentity.Dispose();
            BobIdentity.Dispose();
        }
    }
}
