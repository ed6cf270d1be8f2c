using System.CommandLine;
using Quids.Network.Core;

namespace Quids.Cli.Commands;

/// <summary>Builds the options and arguments the commands share, each validated at parse time.</summary>
internal static class CliOptions
{
    public static Option<int> Int(string name, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError($"{name} must be from {min} to {max}, not {value}.");
            }
        });
        return option;
    }

    public static Argument<Multiaddress> Target() => new("address")
    {
        Description = "The peer: a multiaddress (/ip4/127.0.0.1/tcp/4001[/p2p/12D3KooW…]) or host:port.",
        CustomParser = PeerAddress.Parse,
    };

    /// <summary>Seconds with a fraction, as <c>0.123</c>: the unit every command prints times in.</summary>
    public static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
