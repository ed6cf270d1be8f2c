using System.CommandLine;
using System.Text;
using Quids.Network.Core;

namespace Quids.Cli.Commands;

/// <summary><c>quids send</c>: delivers one text message on <c>/quids/msg/1.0.0</c> and exits.</summary>
internal static class SendCommand
{
    public static Command Create(CliConsole console)
    {
        var target = CliOptions.Target();
        var text = new Argument<string>("text") { Description = "The message, sent as UTF-8." };
        var command = new Command("send", "Connect to a peer, send it one message, and exit once it is on the wire.") { target, text };
        command.SetAction((result, cancellationToken) =>
            RunAsync(console, result.GetValue(target)!, result.GetValue(text)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, Multiaddress target, string text, CancellationToken cancellationToken)
    {
        var (client, peer, exitCode) = await ClientNode.ConnectAsync(console, "send", target, cancellationToken);
        if (client is null)
        {
            return exitCode;
        }

        await using (client)
        {
            var message = Encoding.UTF8.GetBytes(text);
            try
            {
                await client.StepAsync(
                    async ct =>
                    {
                        await client.Node.SendMessageToPeerAsync(peer!, message, ct);
                        return true;
                    },
                    cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return client.Fail($"sending to {peer} failed: {CliConsole.Describe(e)}");
            }

            // A graceful stop flushes the message and closes the stream before the process exits.
            await client.Node.StopAsync(cancellationToken: CancellationToken.None);
            console.Line($"sent {message.Length} bytes to {peer}");
        }

        return 0;
    }
}
