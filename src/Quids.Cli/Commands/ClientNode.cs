using Quids.Network;
using Quids.Network.Core;

namespace Quids.Cli.Commands;

/// <summary>
/// The short-lived node behind <c>send</c> and <c>ping</c>: listens on a free loopback port (it only dials
/// out), connects to the target, and stops gracefully so that what it sent is flushed before it exits.
/// </summary>
internal sealed class ClientNode : IAsyncDisposable
{
    /// <summary>Longest wait for each network step (connect, send, one ping), as ping(8)'s deadline: a dead peer fails fast.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    private readonly CliConsole _console;
    private readonly string _command;

    private ClientNode(CliConsole console, string command, P2PNode node)
    {
        _console = console;
        _command = command;
        Node = node;
    }

    public P2PNode Node { get; }

    /// <summary>Starts a node and connects it to <paramref name="target"/>, or reports why not and returns null.</summary>
    public static async Task<(ClientNode? Client, PeerId? Peer, int ExitCode)> ConnectAsync(CliConsole console, string command, Multiaddress target, CancellationToken cancellationToken)
    {
        var node = new P2PNode(new P2PNodeOptions { Port = 0, BindAddress = "127.0.0.1" });
        var client = new ClientNode(console, command, node);
        try
        {
            await node.StartAsync(cancellationToken);
            var connection = await client.StepAsync(ct => node.ConnectToPeerAsync(target, persistent: false, ct), cancellationToken);
            return (client, connection.PeerId, 0);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await client.DisposeAsync();
            return (null, null, console.Fail(command, e is TimeoutException ? $"no connection to {target} within {StepTimeout.TotalSeconds:0} s." : CliConsole.Describe(e)));
        }
    }

    /// <summary>Runs one network step under <see cref="StepTimeout"/>, turning its expiry into a <see cref="TimeoutException"/>.</summary>
    public async Task<T> StepAsync<T>(Func<CancellationToken, Task<T>> step, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StepTimeout);
        try
        {
            return await step(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {StepTimeout.TotalSeconds:0} s.");
        }
    }

    public int Fail(string message) => _console.Fail(_command, message);

    public async ValueTask DisposeAsync()
    {
        await Node.StopAsync();
        await Node.DisposeAsync();
    }
}
