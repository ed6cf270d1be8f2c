using System.Text;

namespace Quids.Cli;

/// <summary>Shows a received message: as text when it is printable UTF-8, else as hex with its length.</summary>
internal static class MessageText
{
    /// <summary>Hex shows at most this many bytes (then "…"), so that one large message stays one readable line.</summary>
    public const int MaxHexBytes = 64;

    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Describe(ReadOnlySpan<byte> message)
    {
        if (TryGetPrintable(message, out var text))
        {
            return text;
        }

        var shown = message[..Math.Min(message.Length, MaxHexBytes)];
        return $"0x{Convert.ToHexStringLower(shown)}{(message.Length > MaxHexBytes ? "…" : string.Empty)} ({message.Length} bytes)";
    }

    private static bool TryGetPrintable(ReadOnlySpan<byte> message, out string text)
    {
        text = string.Empty;
        if (message.IsEmpty)
        {
            return false;
        }

        try
        {
            text = s_strict.GetString(message);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        // Control characters (bar tab) would break the one-line-per-message output or the terminal.
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsControl(rune) && rune.Value != '\t')
            {
                return false;
            }
        }

        return true;
    }
}
