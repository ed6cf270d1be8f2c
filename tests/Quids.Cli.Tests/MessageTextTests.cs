namespace Quids.Cli.Tests;

public sealed class MessageTextTests
{
    [Fact]
    public void Shows_printable_utf8_as_text() => Assert.Equal("héllo\tworld ✓", MessageText.Describe("héllo\tworld ✓"u8));

    [Fact]
    public void Shows_bytes_that_are_not_utf8_as_hex_with_the_length() =>
        Assert.Equal("0x00ff10 (3 bytes)", MessageText.Describe([0x00, 0xff, 0x10]));

    [Fact]
    public void Shows_text_with_a_newline_as_hex_so_each_message_stays_one_line() =>
        Assert.Equal("0x610a62 (3 bytes)", MessageText.Describe("a\nb"u8));

    [Fact]
    public void Shortens_long_binary_messages()
    {
        var text = MessageText.Describe(new byte[100]);
        Assert.Equal("0x" + new string('0', 128) + "… (100 bytes)", text);
    }
}
