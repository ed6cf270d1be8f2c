using Microsoft.Extensions.Logging;
using Quids.Network.Core;

namespace Quids.Network.Diagnostics;

/// <summary>Every log message of the address book, with stable event ids (1400-1499).</summary>
internal static partial class AddressBookLog
{
    [LoggerMessage(1400, LogLevel.Debug, "Address book: address {Address} of {PeerId} not kept: {Reason}")]
    public static partial void AddressRejected(ILogger logger, PeerId peerId, string address, string reason);

    [LoggerMessage(1401, LogLevel.Debug, "Address book: peer {PeerId} not kept: {Reason}")]
    public static partial void PeerRejected(ILogger logger, PeerId peerId, string reason);

    [LoggerMessage(1402, LogLevel.Debug, "Address book: peer {PeerId} evicted ({Failures} failures, ever connected: {EverConnected}): {Reason}")]
    public static partial void PeerEvicted(ILogger logger, PeerId peerId, string reason, int failures, bool everConnected);

    [LoggerMessage(1403, LogLevel.Information, "Address book: loaded {Count} peers from {Path}")]
    public static partial void Loaded(ILogger logger, int count, string path);

    [LoggerMessage(1404, LogLevel.Warning, "Address book: {Path} is unreadable ({Reason}); kept aside as {AsidePath}")]
    public static partial void FileUnreadable(ILogger logger, string path, string reason, string asidePath);

    [LoggerMessage(1405, LogLevel.Warning, "Address book: {Path} could not be used ({Reason}); loading the previous good copy {BackupPath}")]
    public static partial void LoadingBackup(ILogger logger, string path, string reason, string backupPath);

    [LoggerMessage(1406, LogLevel.Warning, "Address book: starting empty: {Reason}")]
    public static partial void StartingEmpty(ILogger logger, string reason);

    [LoggerMessage(1407, LogLevel.Information, "Address book: no file at {Path} yet, starting empty")]
    public static partial void NoFile(ILogger logger, string path);

    [LoggerMessage(1408, LogLevel.Warning, "Address book: {Dropped} entries of {Path} dropped on load (invalid or beyond the current limits)")]
    public static partial void EntriesDropped(ILogger logger, int dropped, string path);

    [LoggerMessage(1409, LogLevel.Debug, "Address book: saved {Count} peers to {Path}")]
    public static partial void Saved(ILogger logger, int count, string path);
}
