using System.Runtime.CompilerServices;
using Quids.Network.Diagnostics;
using Quids.Network.Network;

namespace Quids.Network.Protocols.Identify;

/// <summary>
/// <c>/ipfs/id/1.0.0</c> and <c>/ipfs/id/push/1.0.0</c> on a node: tells every peer who we are, and asks
/// every new connection's peer who it is (both sides do, as every libp2p implementation does).
/// </summary>
internal sealed class IdentifyService
{
    /// <summary>Longest wait for a peer's identify answer. Defaults to 10 s, as js-libp2p's timeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Swarm _swarm;
    private readonly ConditionalWeakTable<NetworkConnection, TaskCompletionSource<IdentifyInfo?>> _results = new();

    public IdentifyService(Swarm swarm)
    {
        _swarm = swarm;
        swarm.SetStreamHandler(IdentifyProtocol.Id, RespondAsync);
        swarm.SetStreamHandler(IdentifyProtocol.PushId, ReceivePushAsync);
        swarm.ConnectionOpened += connection => _ = IdentifyAsync(connection);
    }

    /// <summary>Raised when a peer's identify answer (or push) arrived.</summary>
    public event Action<NetworkConnection, IdentifyInfo>? Identified;

    /// <summary>The peer's latest identify answer; waits for the first one, null if it failed.</summary>
    public Task<IdentifyInfo?> GetRemoteInfoAsync(NetworkConnection connection) => Result(connection).Task;

    /// <summary>What we tell <paramref name="connection"/>'s peer about ourselves.</summary>
    public IdentifyInfo LocalInfo(NetworkConnection? connection) => new()
    {
        PublicKey = _swarm.Options.Identity!.PublicKey,
        ProtocolVersion = _swarm.Options.ProtocolVersion,
        AgentVersion = _swarm.Options.AgentVersion,
        ListenAddresses = _swarm.ListenAddresses,
        ObservedAddress = connection?.RemoteAddress,
        Protocols = [.. _swarm.Protocols],
    };

    private TaskCompletionSource<IdentifyInfo?> Result(NetworkConnection connection) =>
        _results.GetValue(connection, _ => new TaskCompletionSource<IdentifyInfo?>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task IdentifyAsync(NetworkConnection connection)
    {
        var result = Result(connection);
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            var stream = await connection.OpenStreamAsync(IdentifyProtocol.Id, Timeout, timeout.Token);
            await using (stream)
            {
                var info = await IdentifyProtocol.RequestAsync(stream, connection.RemotePeerId, timeout.Token);
                result.TrySetResult(info);
                Raise(connection, info);
            }
        }
        catch (Exception e)
        {
            // Identify is informative: a peer that does not answer keeps its connection (as in go and js).
            ProtocolLog.IdentifyFailed(_swarm.Logger, connection.RemotePeerId, e.Message);
            result.TrySetResult(null);
        }
    }

    private async Task RespondAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await IdentifyProtocol.RespondAsync(incoming.Stream, LocalInfo(incoming.Connection), timeout.Token);
    }

    private async Task ReceivePushAsync(IncomingStream incoming, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var result = Result(incoming.Connection);
        var current = result.Task.IsCompletedSuccessfully && result.Task.Result is { } known
            ? known
            : new IdentifyInfo { PublicKey = incoming.Connection.RemotePublicKey };
        var info = await IdentifyProtocol.ReadPushAsync(incoming.Stream.Input, current, timeout.Token);
        await incoming.Stream.Output.CompleteAsync();
        if (!result.TrySetResult(info))
        {
            _results.AddOrUpdate(incoming.Connection, CompletedWith(info));
        }

        Raise(incoming.Connection, info);
    }

    private static TaskCompletionSource<IdentifyInfo?> CompletedWith(IdentifyInfo info)
    {
        var tcs = new TaskCompletionSource<IdentifyInfo?>();
        tcs.SetResult(info);
        return tcs;
    }

    private void Raise(NetworkConnection connection, IdentifyInfo info)
    {
        try
        {
            Identified?.Invoke(connection, info);
        }
        catch (Exception e)
        {
            NetworkLog.EventHandlerFailed(_swarm.Logger, nameof(Identified), e);
        }
    }
}
