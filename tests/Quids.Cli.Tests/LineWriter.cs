using System.Text;

namespace Quids.Cli.Tests;

/// <summary>A thread-safe in-memory stdout/stderr that a test can wait on for a line to appear.</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    /// <summary>The first line matching <paramref name="predicate"/>, waiting up to 5 s for it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.FirstOrDefault(predicate) is { } line)
            {
                return line;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"No line {what} within 5 s; output so far:\n{Text}");
    }
}
