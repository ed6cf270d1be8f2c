using NSec.Cryptography;

namespace Quids.Network.Core;

/// <summary>
/// A node's Ed25519 identity key pair. Its public key gives the node's <see cref="Core.PeerId"/>; the private
/// key signs the Noise static key during every handshake. Files hold the libp2p <c>PrivateKey</c> protobuf
/// (type Ed25519, 64 bytes: seed then public key), the format other libp2p implementations store.
/// </summary>
public sealed class IdentityKeyPair : IDisposable
{
    private static readonly SignatureAlgorithm s_algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private IdentityKeyPair(Key key)
    {
        _key = key;
        PublicKey = PublicKey.Create(KeyType.Ed25519, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        PeerId = PeerId.FromPublicKey(PublicKey);
    }

    /// <summary>The public half.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The peer id of <see cref="PublicKey"/>.</summary>
    public PeerId PeerId { get; }

    /// <summary>Creates a new random key pair.</summary>
    public static IdentityKeyPair Generate() =>
        new(Key.Create(s_algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Creates the key pair of a 32-byte Ed25519 seed (the RFC 8032 private key).</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static IdentityKeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException($"An Ed25519 seed is 32 bytes, not {seed.Length}.", nameof(seed));
        }

        return new(Key.Import(s_algorithm, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    /// <summary>Reads the libp2p <c>PrivateKey</c> protobuf of an Ed25519 key (64-byte or legacy 96-byte form).</summary>
    /// <exception cref="FormatException">The bytes are not an Ed25519 private key, or its halves disagree.</exception>
    public static IdentityKeyPair FromProtobuf(ReadOnlySpan<byte> encoded)
    {
        var (type, data) = KeyProtobuf.Decode(encoded, "private key");
        try
        {
            if (type != KeyType.Ed25519)
            {
                throw new FormatException($"Only Ed25519 identity keys are supported, not {type}.");
            }

            if (data.Length is not (64 or 96))
            {
                throw new FormatException($"An Ed25519 private key is 64 bytes (or 96 in the legacy form), not {data.Length}.");
            }

            if (data.Length == 96 && !data.AsSpan(32, 32).SequenceEqual(data.AsSpan(64, 32)))
            {
                throw new FormatException("The legacy 96-byte Ed25519 private key holds two different public keys.");
            }

            var pair = FromSeed(data.AsSpan(0, 32));
            if (!pair.PublicKey.Data.Span.SequenceEqual(data.AsSpan(32, 32)))
            {
                pair.Dispose();
                throw new FormatException("The Ed25519 private key's public half does not belong to its seed.");
            }

            return pair;
        }
        finally
        {
            Array.Clear(data);
        }
    }

    /// <summary>The libp2p <c>PrivateKey</c> protobuf (64-byte Ed25519 form). Keep it secret.</summary>
    public byte[] ToProtobuf()
    {
        var data = new byte[64];
        try
        {
            _key.Export(KeyBlobFormat.RawPrivateKey).CopyTo(data, 0);
            PublicKey.Data.Span.CopyTo(data.AsSpan(32));
            return KeyProtobuf.Encode(KeyType.Ed25519, data);
        }
        finally
        {
            Array.Clear(data);
        }
    }

    /// <summary>
    /// Writes the key to <paramref name="path"/> readable and writable by the owner only (mode 0600 on Unix),
    /// through a temporary file and a rename, so a crash never leaves half a key behind.
    /// </summary>
    public void SaveToFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        byte[] bytes = ToProtobuf();
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            Array.Clear(bytes);
            File.Delete(temp);
        }
    }

    /// <summary>Reads a key written by <see cref="SaveToFile"/> (or by another libp2p implementation).</summary>
    /// <exception cref="FormatException">The file does not hold an Ed25519 private key.</exception>
    /// <exception cref="UnauthorizedAccessException">On Unix, the file is readable or writable by group or others.</exception>
    public static IdentityKeyPair LoadFromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
            {
                throw new UnauthorizedAccessException($"The identity key file '{path}' is accessible to other users (mode {Convert.ToString((int)mode, 8)}); restrict it with chmod 600.");
            }
        }

        var info = new FileInfo(path);
        if (info.Length > KeyProtobuf.MaxEncodedLength)
        {
            throw new FormatException($"The identity key file '{path}' is {info.Length} bytes, too large to be a key.");
        }

        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return FromProtobuf(bytes);
        }
        catch (FormatException e)
        {
            throw new FormatException($"The identity key file '{path}' is not a libp2p Ed25519 private key: {e.Message}", e);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    /// <summary>Loads the key at <paramref name="path"/>, or creates and saves a new one if there is no file.</summary>
    public static IdentityKeyPair LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return LoadFromFile(path);
        }

        var pair = Generate();
        pair.SaveToFile(path);
        return pair;
    }

    /// <summary>Signs <paramref name="data"/> (a 64-byte Ed25519 signature).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => s_algorithm.Sign(_key, data);

    /// <summary>Releases the private key.</summary>
    public void Dispose() => _key.Dispose();
}
