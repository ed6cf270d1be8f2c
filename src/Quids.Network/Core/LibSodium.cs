using System.Runtime.InteropServices;

namespace Quids.Network.Core;

/// <summary>
/// Direct calls into libsodium, the native library NSec ships with (package <c>libsodium</c>). NSec's
/// <c>Key</c> and <c>SharedSecret</c> keep every secret in <c>sodium_malloc</c> memory (guard pages, mprotect),
/// which costs several system calls per key; hot paths that create and drop keys per handshake or per frame use
/// these entry points on plain spans instead, and wipe their secrets themselves.
/// Partial: each concern adds its functions in its own <c>LibSodium.Xxx.cs</c> file.
/// </summary>
internal static partial class LibSodium
{
    /// <summary>The native library name, resolved from NSec's dependency like NSec itself resolves it.</summary>
    public const string Library = "libsodium";

    static LibSodium()
    {
        // sodium_init is idempotent and thread-safe; 1 means another caller (NSec) already ran it.
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise (sodium_init returned an error).");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();
}
