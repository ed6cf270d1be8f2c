using System.Text.Json;
using Quids.Network.Core;
using Quids.Network.Diagnostics;

namespace Quids.Network.Network;

/// <summary>
/// Saving and loading. A save writes <c>path.tmp</c>, flushes it to disk, moves the current file to
/// <c>path.bak</c> and renames the temporary file over <c>path</c>. A crash at any point leaves either a
/// complete <c>path</c> or (between the two renames) a complete <c>path.bak</c>, and <see cref="Load"/> falls
/// back to the latter; a partial <c>path.tmp</c> is never read and is overwritten by the next save.
/// </summary>
internal sealed partial class AddressBook
{
    /// <summary>Suffix of the file being written.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Suffix of the previous good file.</summary>
    public const string BackupSuffix = ".bak";

    /// <summary>Suffix an unreadable file is moved to, kept for inspection and so it never replaces the good backup.</summary>
    public const string UnreadableSuffix = ".bad";

    private readonly SemaphoreSlim _saveLock = new(1, 1);

    /// <summary>Writes the book to <paramref name="path"/> atomically (see the type's remarks) and clears <see cref="IsDirty"/>.</summary>
    /// <exception cref="IOException">The file could not be written; the previous file is left in place.</exception>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        await _saveLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AddressBookFile file;
            long changes;
            lock (_lock)
            {
                file = ToFile(_timeProvider.GetUtcNow());
                changes = _changes;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            string temp = full + TempSuffix;
            var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, file, AddressBookJsonContext.Default.AddressBookFile, cancellationToken).ConfigureAwait(false);

                // The bytes must be on disk before the rename publishes them: otherwise a crash can leave a
                // renamed but empty file (delayed allocation on ext4, xfs).
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(full))
            {
                File.Move(full, full + BackupSuffix, overwrite: true);
            }

            File.Move(temp, full, overwrite: true);
            lock (_lock)
            {
                _savedChanges = changes;
            }

            AddressBookLog.Saved(_logger, file.Peers!.Count, full);
        }
        finally
        {
            _saveLock.Release();
        }
    }

    /// <summary>
    /// Merges the book saved at <paramref name="path"/> into this one. A missing file means a first start; an
    /// unreadable one (truncated, corrupted, too large, unknown version) is moved to <c>path.bad</c> and the
    /// previous good copy <c>path.bak</c> is loaded instead, or nothing. Entries are re-checked against the
    /// current hygiene rules and limits; those that fail are dropped. Every such case is logged. Never throws
    /// for the file's content.
    /// </summary>
    /// <returns>How many peers of the file are now in the book.</returns>
    public int Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string backup = full + BackupSuffix;
        var file = TryRead(full, out string? reason);
        if (file is not null)
        {
            return Apply(file, full, fromBackup: false);
        }

        if (reason is not null)
        {
            string aside = full + UnreadableSuffix;
            try
            {
                File.Move(full, aside, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                aside = "(could not move it: " + e.Message + ")";
            }

            AddressBookLog.FileUnreadable(_logger, full, reason, aside);
        }

        var previous = TryRead(backup, out string? backupReason);
        if (previous is not null)
        {
            AddressBookLog.LoadingBackup(_logger, full, reason ?? "it is missing", backup);
            return Apply(previous, backup, fromBackup: true);
        }

        if (reason is null && backupReason is null)
        {
            AddressBookLog.NoFile(_logger, full);
        }
        else
        {
            AddressBookLog.StartingEmpty(_logger, $"{full}: {reason ?? "missing"}; {backup}: {backupReason ?? "missing"}");
        }

        return 0;
    }

    private AddressBookFile? TryRead(string path, out string? reason)
    {
        reason = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            if (info.Length > _options.MaxFileBytes)
            {
                reason = $"it is {info.Length} bytes, more than MaxFileBytes ({_options.MaxFileBytes})";
                return null;
            }

            var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), AddressBookJsonContext.Default.AddressBookFile);
            reason = file is null ? "it holds JSON null"
                : file.Version != AddressBookFile.CurrentVersion ? $"format version {file.Version} is not {AddressBookFile.CurrentVersion}"
                : file.Peers is null ? "it has no peers list"
                : null;
            return reason is null ? file : null;
        }
        catch (JsonException e)
        {
            reason = "it is not valid address book JSON: " + e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = "it could not be read: " + e.Message;
        }

        return null;
    }

    private int Apply(AddressBookFile file, string path, bool fromBackup)
    {
        int loaded = 0;
        int dropped = 0;
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();

            // Best first, so that when the file holds more than the current limits allow, the worst are dropped.
            foreach (var saved in file.Peers!.Where(p => p is not null)
                .OrderByDescending(p => p.LastConnected ?? DateTimeOffset.MinValue).ThenBy(p => p.Failures))
            {
                if (!PeerId.TryParse(saved.Id, out var peerId) || saved.Addresses is null)
                {
                    dropped++;
                    continue;
                }

                bool existed = _peers.TryGetValue(peerId, out var peer);
                foreach (var savedAddress in saved.Addresses)
                {
                    if (savedAddress is null || !Multiaddress.TryParse(savedAddress.Address, out var address))
                    {
                        dropped++;
                        continue;
                    }

                    bool added = AddLocked(peerId, [address], Known(savedAddress.Sources), now) > 0;
                    if (!_peers.TryGetValue(peerId, out peer) || peer.IndexOf(address.WithoutPeerId()) is not (>= 0 and var index))
                    {
                        dropped++;
                        continue;
                    }

                    if (added && !existed)
                    {
                        peer.Addresses[index] = peer.Addresses[index] with
                        {
                            LastConnected = Clamp(savedAddress.LastConnected, now),
                            Failures = Math.Max(0, savedAddress.Failures),
                        };
                    }
                }

                if (!_peers.TryGetValue(peerId, out peer))
                {
                    continue;
                }

                loaded++;
                peer.Sources |= Known(saved.Sources);
                peer.LastConnected = Max(peer.LastConnected, Clamp(saved.LastConnected, now));
                if (!existed)
                {
                    peer.FirstSeen = Clamp(saved.FirstSeen, now) ?? now;
                    peer.LastSeen = Clamp(saved.LastSeen, now) ?? now;
                    peer.Failures = Math.Max(0, saved.Failures);
                    peer.LastFailure = Clamp(saved.LastFailure, now);
                }
            }

            if (dropped == 0 && !fromBackup)
            {
                _savedChanges = _changes;
            }
            else
            {
                _changes++;
            }
        }

        if (dropped > 0)
        {
            AddressBookLog.EntriesDropped(_logger, dropped, path);
        }

        AddressBookLog.Loaded(_logger, loaded, path);
        return loaded;
    }

    private AddressBookFile ToFile(DateTimeOffset now) => new()
    {
        Version = AddressBookFile.CurrentVersion,
        SavedAt = now,
        Peers = [.. _peers.Values.Select(p => new AddressBookFilePeer
        {
            Id = p.PeerId.ToString(),
            Sources = p.Sources,
            FirstSeen = p.FirstSeen,
            LastSeen = p.LastSeen,
            LastConnected = p.LastConnected,
            Failures = p.Failures,
            LastFailure = p.LastFailure,
            Addresses = [.. p.Addresses.Select(a => new AddressBookFileAddress
            {
                Address = a.Address.ToString(),
                Sources = a.Sources,
                LastConnected = a.LastConnected,
                Failures = a.Failures,
            })],
        })],
    };

    private static AddressSource Known(AddressSource sources) =>
        sources & (AddressSource.Bootstrap | AddressSource.Identify | AddressSource.Kad | AddressSource.Mdns | AddressSource.Inbound | AddressSource.Manual);

    /// <summary>A saved time, or null when absent; never later than now (a clock that went back, or a corrupted value).</summary>
    private static DateTimeOffset? Clamp(DateTimeOffset? value, DateTimeOffset now) =>
        value is not { } v || v == default ? null : v > now ? now : v;

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
