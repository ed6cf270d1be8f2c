using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Quids.Network.Tests.Support;

/// <summary>
/// A private Linux network namespace with only <c>lo</c> (up, multicast on), so multicast tests neither
/// depend on nor touch the host's interfaces. <see cref="Run{T}"/> executes code on a thread that has
/// entered it: sockets created there belong to the namespace for their whole life, whatever thread uses them later.
/// Needs root and iproute2; any failure throws with the command and its output, so a test cannot pass vacuously.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private static int s_counter;

    private NetworkNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("mDNS multicast tests build a Linux network namespace; this is not Linux.");
        }

        var ns = new NetworkNamespace($"quids-mdns-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}");
        Ip($"netns add {ns.Name}");
        try
        {
            Ip($"-n {ns.Name} link set lo up");
            Ip($"-n {ns.Name} link set lo multicast on");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Runs <paramref name="action"/> on a new thread inside the namespace; the thread ends with it.</summary>
    public T Run<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {Name} failed with errno {Marshal.GetLastPInvokeError()} (needs CAP_SYS_ADMIN, i.e. root).");
                }

                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"running inside network namespace {Name} failed: {failure.Message}", failure);
        }

        return result;
    }

    public void Dispose()
    {
        try
        {
            Ip($"netns del {Name}");
        }
        catch (InvalidOperationException)
        {
            // Already gone or never made: nothing left to clean up.
        }
    }

    private static void Ip(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start 'ip {arguments}'.");
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'ip {arguments}' exited with {process.ExitCode}: {output.Trim()} (mDNS multicast tests need root and iproute2 to build a private network namespace).");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
