namespace Quids.Network.Harness;

/// <summary>
/// End-to-end loopback harness in two processes, as the baselines in ../shared/peers: <c>server</c> listens
/// and prints <c>LISTENING swarm|node &lt;multiaddr&gt;</c>; <c>client</c> runs one test and prints one
/// <c>RESULT name=quids_&lt;test&gt; k=v ...</c> line (benchmarks/compare.sh repeats runs and takes medians).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = HarnessArgs.Parse(args);
        try
        {
            return options.Mode switch
            {
                "server" => await HarnessServer.RunAsync(options),
                "client" => await HarnessClient.RunAsync(options),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"harness {options.Mode} {options.Test}: {e}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: harness server [--port 0]
                   harness client --swarm <multiaddr> --node <multiaddr> --test perf-up|perf-down|small|echo|ping|connect|memory
                                  [--seconds 5]
                   harness client --floor <port> --test aead-floor [--seconds 5] [--conns 5000] [--workers 4]
            """);
        return 2;
    }
}
