using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Quids.Network.InteropTests.JsLibp2p;

/// <summary>
/// The installed js-libp2p side: Node 22 (npm package <c>node</c>) and the locked node_modules next to
/// <c>peer.mjs</c>. <see cref="EnsureAsync"/> runs <c>npm ci</c> once per machine (and again when the lock
/// changes), serialized across test classes and test processes by a file lock.
/// </summary>
public sealed class JsEnvironment
{
    /// <summary>Environment variable that points at another js folder (must hold package.json, the lock and peer.mjs).</summary>
    public const string DirectoryVariable = "QUIDS_INTEROP_JS_DIR";

    // npm ci downloads Node 22 (~30 MB) and ~120 packages; 15 minutes covers a slow registry mirror.
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(15);

    // Other test processes (Debug and Release runs side by side) may hold the install lock for a whole npm ci.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(20);

    private const string RequiredNodeMajor = "v22.";
    private const string LockFileName = ".npm-ci.lock";

    private static readonly Lazy<Task<JsEnvironment>> Instance = new(() => Task.Run(InstallAsync));

    private JsEnvironment(string directory, string nodePath, string nodeVersion)
    {
        Directory = directory;
        NodePath = nodePath;
        NodeVersion = nodeVersion;
    }

    /// <summary>The folder holding peer.mjs and node_modules.</summary>
    public string Directory { get; }

    /// <summary>Full path of the Node 22 executable (node_modules/.bin/node).</summary>
    public string NodePath { get; }

    /// <summary>What <c>node --version</c> printed, e.g. <c>v22.23.3</c>.</summary>
    public string NodeVersion { get; }

    /// <summary>Full path of the controllable peer script.</summary>
    public string PeerScript => Path.Combine(Directory, "peer.mjs");

    /// <summary>
    /// Installs Node 22 and node_modules if missing or older than package-lock.json; done once per process,
    /// and a failure is remembered so that every test reports the same npm output instead of retrying.
    /// </summary>
    public static Task<JsEnvironment> EnsureAsync() => Instance.Value;

    private static async Task<JsEnvironment> InstallAsync()
    {
        var directory = PrepareDirectory(FindSourceDirectory());
        var nodePath = Path.Combine(directory, "node_modules", ".bin", "node");
        using (await AcquireFileLockAsync(Path.Combine(directory, LockFileName)).ConfigureAwait(false))
        {
            if (!IsInstalled(directory, nodePath))
            {
                await RunNpmCiAsync(directory).ConfigureAwait(false);
                if (!File.Exists(nodePath))
                {
                    throw new InvalidOperationException(
                        $"npm ci in {directory} succeeded but {nodePath} is missing: is the npm package 'node' in package.json?");
                }
            }
        }

        var version = (await RunAsync(nodePath, ["--version"], directory, TimeSpan.FromSeconds(30)).ConfigureAwait(false)).Output.Trim();
        if (!version.StartsWith(RequiredNodeMajor, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{nodePath} is Node {version}; the interop tests need {RequiredNodeMajor}x.");
        }

        return new JsEnvironment(directory, nodePath, version);
    }

    private static string FindSourceDirectory()
    {
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable(DirectoryVariable),
            typeof(JsEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "InteropJsDirectory")?.Value,
            Path.Combine(AppContext.BaseDirectory, "js"),
        };
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new InvalidOperationException(
            $"No js folder with package-lock.json found (tried {string.Join(", ", candidates.Where(c => c is not null))}).");
    }

    // A read-only checkout cannot hold node_modules: work from a copy in the temp folder, keyed by the lock.
    private static string PrepareDirectory(string source)
    {
        if (IsWritable(source))
        {
            return source;
        }

        var lockHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(source, "package-lock.json"))))[..12];
        var copy = Path.Combine(Path.GetTempPath(), $"quids-interop-js-{lockHash}");
        System.IO.Directory.CreateDirectory(copy);
        foreach (var file in System.IO.Directory.EnumerateFiles(source).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".mjs", StringComparison.Ordinal)))
        {
            var target = Path.Combine(copy, Path.GetFileName(file));
            if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(File.ReadAllBytes(file)))
            {
                File.Copy(file, target, overwrite: true);
            }
        }

        return copy;
    }

    private static bool IsWritable(string directory)
    {
        try
        {
            var probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // npm writes node_modules/.package-lock.json last; a lock newer than it means the install is stale.
    private static bool IsInstalled(string directory, string nodePath)
    {
        var hidden = Path.Combine(directory, "node_modules", ".package-lock.json");
        return File.Exists(nodePath) && File.Exists(hidden)
            && File.GetLastWriteTimeUtc(Path.Combine(directory, "package-lock.json")) <= File.GetLastWriteTimeUtc(hidden);
    }

    private static async Task<IDisposable> AcquireFileLockAsync(string path)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix, released when the stream closes.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunNpmCiAsync(string directory)
    {
        (int ExitCode, string Output) result;
        try
        {
            result = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], directory, NpmTimeout).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Cannot run npm ({e.Message}). The interop tests need npm on PATH (Debian: apt-get install -y npm).", e);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'npm ci --no-audit --no-fund' in {directory} failed with exit code {result.ExitCode}:{Environment.NewLine}{result.Output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, string directory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["npm_config_update_notifier"] = "false";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} in {directory} did not finish within {timeout}:{Environment.NewLine}{output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
