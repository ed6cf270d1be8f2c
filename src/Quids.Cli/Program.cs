using System.CommandLine;
using System.Runtime.InteropServices;
using Quids.Cli.Commands;

namespace Quids.Cli;

/// <summary>The <c>quids</c> command: <c>node</c>, <c>send</c>, <c>ping</c>, <c>perf</c> and <c>devnet</c>.</summary>
public static class Program
{
    /// <summary>Exit code of a command that ran and failed (connection refused, message lost, ...).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a command line that could not be parsed; usage is printed to stderr.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the command on the console; Ctrl+C and SIGTERM stop it gracefully.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        // The first signal stops gracefully (nodes flush and close); a second one terminates at once.
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected;
        return await RunAsync(args, Console.Out, Console.Error, interactive, stop.Token);
    }

    /// <summary>
    /// Runs one command line with its output on <paramref name="output"/> and errors on <paramref name="error"/>;
    /// <paramref name="cancellationToken"/> plays the part of Ctrl+C. Output is plain lines unless
    /// <paramref name="interactive"/> (a terminal), where tables and progress bars are drawn.
    /// </summary>
    /// <returns>0 on success, <see cref="Failure"/> or <see cref="UsageError"/> otherwise.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var console = new CliConsole(TextWriter.Synchronized(output), TextWriter.Synchronized(error), interactive);
        var root = new RootCommand("quids: a libp2p-compatible peer-to-peer node (TCP, Noise, Yamux, ping, identify, /quids/msg/1.0.0).")
        {
            NodeCommand.Create(console),
            SendCommand.Create(console),
            PingCommand.Create(console),
            PerfCommand.Create(console),
            DevnetCommand.Create(console),
        };
        var parsed = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Main owns the signals, so that a stop is always graceful and the exit code is the command's.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await console.Error.WriteLineAsync(parseError.Message);
            }

            // Usage goes to stderr with the errors, so that stdout stays clean for scripts.
            var helpArgs = parsed.CommandResult.Command == root ? ["--help"] : new[] { parsed.CommandResult.Command.Name, "--help" };
            await root.Parse(helpArgs).InvokeAsync(new InvocationConfiguration { Output = console.Error }, CancellationToken.None);
            return UsageError;
        }

        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        finally
        {
            await console.Out.FlushAsync(CancellationToken.None);
            await console.Error.FlushAsync(CancellationToken.None);
        }
    }
}
