using Quids.Cli.Devnet;

namespace Quids.Cli.Tests;

public sealed class DeliveryLedgerTests
{
    [Fact]
    public void Counts_a_message_that_arrived_before_it_was_recorded_as_sent()
    {
        var ledger = new DeliveryLedger();
        ledger.Received(1, "d/0/0");
        ledger.Expect(1, "d/0/0");

        Assert.Equal(new DeliveryResult(1, 1, 0, 0, 0, 0), ledger.Tally());
        Assert.True(ledger.Tally().Complete);
    }

    [Fact]
    public void Tells_missing_duplicated_and_unexpected_apart()
    {
        var ledger = new DeliveryLedger();
        ledger.Expect(1, "d/0/0");
        ledger.Expect(1, "d/0/1");
        ledger.Expect(2, "d/0/2");
        ledger.Received(1, "d/0/0");
        ledger.Received(1, "d/0/1");
        ledger.Received(1, "d/0/1");
        ledger.Received(3, "d/0/2");

        var result = ledger.Tally();

        Assert.Equal(new DeliveryResult(Expected: 3, Delivered: 1, Missing: 1, Duplicated: 1, Unexpected: 1, SendFailures: 0), result);
        Assert.False(result.Complete);
        Assert.Equal(33.3, result.Percent);
    }

    [Fact]
    public void Never_rounds_a_loss_up_to_100_percent() =>
        Assert.Equal(99.9, new DeliveryResult(10_000, 9_999, 1, 0, 0, 0).Percent);
}
