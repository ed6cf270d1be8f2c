using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>
/// One js-libp2p 3.3.11 node (TCP + Noise + Yamux, identify and identify push, ping, <see cref="EchoProtocol"/>) in its own
/// Node 22 process, driven by line-delimited JSON over stdin/stdout (see js/peer.mjs). Dispose kills it.
/// </summary>
/// <example>
/// <code>
/// await using var js = await JsPeer.StartAsync(new() { Log = output.WriteLine });
/// var remote = await js.DialAsync(quidsAddress);            // js dials a Quids node
/// var identify = await js.IdentifyAsync(remote);            // what js learned about it
/// await js.EchoAsync(quidsAddress, 8 &lt;&lt; 20, streams: 4);   // verified byte for byte by js
/// quidsNode.ConnectAsync(js.Ip4Address);                    // a Quids node dials js
/// </code>
/// </example>
public sealed partial class JsPeer : IAsyncDisposable
{
    /// <summary>The echo protocol js serves: every byte back until the remote closes its write side, then close.</summary>
    public const string EchoProtocol = "/quids/echo/1.0.0";

    // Keeps the failure message readable while still holding the end of a long js stack trace.
    private const int StderrKeptChars = 64 * 1024;

    // A graceful stop should take milliseconds; after this the process is killed.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    // The C# side waits this much longer than the timeout it hands to js, so js's own error wins the race.
    private static readonly TimeSpan ResponseSlack = TimeSpan.FromSeconds(5);

    private readonly Process process;
    private readonly JsPeerOptions options;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> pending = new();
    private readonly TaskCompletionSource<JsonElement> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim stdinLock = new(1, 1);
    private readonly StringBuilder stderr = new();
    private readonly List<JsonElement> events = [];
    private readonly List<(Func<JsonElement, bool> Match, TaskCompletionSource<JsonElement> Done)> eventWaiters = [];
    private readonly Task stdoutLoop;
    private readonly Task stderrLoop;
    private long nextId;
    private int disposed;
    private volatile bool stdoutClosed;

    private JsPeer(Process process, JsPeerOptions options)
    {
        this.process = process;
        this.options = options;
        stdoutLoop = Task.Run(ReadStdoutAsync);
        stderrLoop = Task.Run(ReadStderrAsync);
    }

    /// <summary>The js node's peer id (base58, <c>12D3KooW…</c> for its Ed25519 key).</summary>
    public string PeerId { get; private set; } = "";

    /// <summary>The js node's listen addresses, each ending in <c>/p2p/&lt;PeerId&gt;</c>.</summary>
    public IReadOnlyList<string> ListenAddresses { get; private set; } = [];

    /// <summary>The protocols the js node serves.</summary>
    public IReadOnlyList<string> Protocols { get; private set; } = [];

    /// <summary>The /ip4/127.0.0.1/tcp/…/p2p/… listen address.</summary>
    public string Ip4Address => ListenAddresses.First(a => a.StartsWith("/ip4/127.0.0.1/tcp/", StringComparison.Ordinal));

    /// <summary>The /ip6/::1/tcp/…/p2p/… listen address (needs <see cref="JsPeerOptions.ListenIPv6"/>).</summary>
    public string Ip6Address => ListenAddresses.First(a => a.StartsWith("/ip6/::1/tcp/", StringComparison.Ordinal));

    /// <summary>The TCP port of <see cref="Ip4Address"/>.</summary>
    public int Ip4Port => int.Parse(Ip4Address.Split('/')[4], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The node process's stderr so far (the last 64 KiB).</summary>
    public string StandardError
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Makes sure Node 22 and node_modules are installed (<see cref="JsEnvironment.EnsureAsync"/>, not counted in
    /// <see cref="JsPeerOptions.ReadyTimeout"/>), starts <c>node peer.mjs</c> and waits for its ready line.
    /// </summary>
    public static async Task<JsPeer> StartAsync(JsPeerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new JsPeerOptions();
        var environment = await JsEnvironment.EnsureAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var info = new ProcessStartInfo(options.CommandPrefix.Count == 0 ? environment.NodePath : options.CommandPrefix[0])
        {
            WorkingDirectory = environment.Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (options.CommandPrefix.Count > 0)
        {
            foreach (var argument in options.CommandPrefix.Skip(1))
            {
                info.ArgumentList.Add(argument);
            }

            info.ArgumentList.Add(environment.NodePath);
        }

        info.ArgumentList.Add(environment.PeerScript);
        if (options.ListenIPv6)
        {
            info.ArgumentList.Add("--ip6");
        }

        if (options.ConnectionMonitor)
        {
            info.ArgumentList.Add("--connection-monitor");
        }

        if (options.Dht || options.DhtClientMode)
        {
            info.ArgumentList.Add(options.DhtClientMode ? "--dht-client" : "--dht");
        }

        if (options.Mdns)
        {
            info.ArgumentList.Add("--mdns");
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new JsPeerException($"Could not start {environment.NodePath}.");
        var peer = new JsPeer(process, options);
        try
        {
            var line = await peer.ready.Task.WaitAsync(options.ReadyTimeout, cancellationToken).ConfigureAwait(false);
            peer.PeerId = line.GetProperty("peerId").GetString()!;
            peer.ListenAddresses = Strings(line.GetProperty("addrs"));
            peer.Protocols = Strings(line.GetProperty("protocols"));
            return peer;
        }
        catch (Exception e)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            if (e is TimeoutException)
            {
                throw new JsPeerException(
                    $"js peer did not print its ready line within {options.ReadyTimeout}; stderr:{Environment.NewLine}{peer.StandardError}", e);
            }

            throw;
        }
    }

    /// <summary>
    /// Sends one command (<c>{"id":…,"cmd":<paramref name="command"/>, …arguments, "timeoutMs":…}</c>) and returns
    /// js's answer; throws <see cref="JsPeerException"/> when js answers <c>ok:false</c>, exits, or is late.
    /// </summary>
    public async Task<JsonElement> SendCommandAsync(string command, JsonObject? arguments = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var effectiveTimeout = timeout ?? options.CommandTimeout;
        var id = Interlocked.Increment(ref nextId);
        var message = arguments?.DeepClone().AsObject() ?? [];
        message["id"] = id;
        message["cmd"] = command;
        message["timeoutMs"] = (long)effectiveTimeout.TotalMilliseconds;
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        try
        {
            if (stdoutClosed)
            {
                throw Exited();
            }

            await stdinLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await process.StandardInput.WriteLineAsync(message.ToJsonString()).ConfigureAwait(false);
                await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                stdinLock.Release();
            }

            JsonElement response;
            try
            {
                response = await answer.Task.WaitAsync(effectiveTimeout + ResponseSlack, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new JsPeerException($"js peer did not answer '{command}' within {effectiveTimeout + ResponseSlack}; stderr:{Environment.NewLine}{StandardError}", e);
            }

            if (!response.GetProperty("ok").GetBoolean())
            {
                throw new JsPeerException($"js peer failed '{command}': {response.GetProperty("error").GetString()}");
            }

            return response;
        }
        catch (IOException e)
        {
            throw new JsPeerException($"Could not send '{command}' to the js peer: {e.Message}; stderr:{Environment.NewLine}{StandardError}", e);
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Waits for an event line js printed (<c>peer:connect</c>, <c>peer:disconnect</c>, <c>peer:identify</c>,
    /// <c>peer:discovery</c>), for
    /// <paramref name="peerId"/> if given; events that already happened count.
    /// </summary>
    public Task<JsonElement> WaitForEventAsync(string name, string? peerId = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        bool Match(JsonElement e) =>
            e.GetProperty("event").GetString() == name
            && (peerId is null || (e.TryGetProperty("peerId", out var p) && p.GetString() == peerId));
        var done = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (events)
        {
            var seen = events.FindIndex(e => Match(e));
            if (seen >= 0)
            {
                return Task.FromResult(events[seen]);
            }

            eventWaiters.Add((Match, done));
        }

        return WaitAsync();

        async Task<JsonElement> WaitAsync()
        {
            var limit = timeout ?? options.CommandTimeout;
            try
            {
                return await done.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new JsPeerException($"js peer printed no '{name}' event{(peerId is null ? "" : $" for {peerId}")} within {limit}.", e);
            }
            finally
            {
                lock (events)
                {
                    eventWaiters.RemoveAll(w => w.Done == done);
                }
            }
        }
    }

    /// <summary>Asks js to stop (it answers, stops libp2p and exits), kills it if it does not, and releases everything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // Closing stdin makes peer.mjs stop its node and exit 0.
                process.StandardInput.Close();
                using var cts = new CancellationTokenSource(StopTimeout);
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // A peer that does not stop in time (or whose pipe is already gone) is killed below.
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        await Task.WhenAll(stdoutLoop, stderrLoop).ConfigureAwait(false);
        process.Dispose();
        stdinLock.Dispose();
    }

    private static string[] Strings(JsonElement array) =>
        array.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();

    private JsPeerException Exited()
    {
        var code = process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
        return new JsPeerException($"js peer exited (code {code}); stderr:{Environment.NewLine}{StandardError}");
    }

    private async Task ReadStdoutAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                OnStdoutLine(line);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe breaks when the process is killed; pending commands fail below.
        }

        // Let the process finish and the stderr loop collect its last words before they go into the messages.
        stdoutClosed = true;
        await Task.WhenAll(process.WaitForExitAsync(), stderrLoop).WaitAsync(TimeSpan.FromSeconds(2))
            .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        var error = Exited();
        ready.TrySetException(error);
        foreach (var waiter in pending.Values)
        {
            waiter.TrySetException(error);
        }
    }

    private void OnStdoutLine(string line)
    {
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(line);
            message = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            AppendStderr($"[stdout, not JSON] {line}");
            return;
        }

        if (message.TryGetProperty("event", out var name))
        {
            if (name.GetString() == "ready")
            {
                ready.TrySetResult(message);
                return;
            }

            lock (events)
            {
                events.Add(message);
                foreach (var waiter in eventWaiters.Where(w => w.Match(message)).ToList())
                {
                    waiter.Done.TrySetResult(message);
                }
            }
        }
        else if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number
            && pending.TryGetValue(id.GetInt64(), out var answer))
        {
            answer.TrySetResult(message);
        }
    }

    private async Task ReadStderrAsync()
    {
        try
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                AppendStderr(line);
                try
                {
                    options.Log?.Invoke(line);
                }
                catch (InvalidOperationException)
                {
                    // ITestOutputHelper throws once its test has finished; the line stays in StandardError.
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe breaks when the process is killed.
        }
    }

    private void AppendStderr(string line)
    {
        lock (stderr)
        {
            stderr.AppendLine(line);
            if (stderr.Length > StderrKeptChars)
            {
                stderr.Remove(0, stderr.Length - StderrKeptChars);
            }
        }
    }
}
