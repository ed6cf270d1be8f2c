using Spectre.Console;

namespace Quids.Cli;

/// <summary>
/// Where a command writes: plain lines on <see cref="Out"/> (flushed at once, so a script or test sees each
/// line as it happens) and one-line errors on <see cref="Error"/>; on a terminal also Spectre tables and
/// progress through <see cref="Ansi"/>.
/// </summary>
internal sealed class CliConsole
{
    private IAnsiConsole? _ansi;

    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>True on a terminal: draw tables and progress; false when redirected: plain lines only.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Ansi => _ansi ??= AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Out),
        Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });

    public void Line(string text)
    {
        Out.WriteLine(text);
        Out.Flush();
    }

    /// <summary>Reports a failure as one line, <c>quids &lt;command&gt;: &lt;what went wrong&gt;</c>, and returns the exit code.</summary>
    public int Fail(string command, string message)
    {
        Error.WriteLine($"quids {command}: {OneLine(message)}");
        Error.Flush();
        return Program.Failure;
    }

    /// <summary>The exception's message, followed by its innermost cause when that adds something.</summary>
    public static string Describe(Exception exception)
    {
        var message = exception.Message;
        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner != exception && !message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{message} ({inner.Message})"
            : message;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
