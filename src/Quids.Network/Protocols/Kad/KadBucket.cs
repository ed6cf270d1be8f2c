namespace Quids.Network.Protocols.Kad;

/// <summary>
/// One k-bucket: its peers ordered from least to most recently seen, a bounded replacement cache of peers
/// that did not fit, and when a lookup last covered it (for refresh).
/// </summary>
internal sealed class KadBucket(int capacity, DateTimeOffset createdAt)
{
    private readonly List<KadTableEntry> _peers = [];
    private readonly List<KadTableEntry> _replacements = [];

    public int Capacity { get; } = capacity;

    /// <summary>Least recently seen first.</summary>
    public IReadOnlyList<KadTableEntry> Peers => _peers;

    /// <summary>Most recently seen last.</summary>
    public IReadOnlyList<KadTableEntry> Replacements => _replacements;

    public bool IsFull => _peers.Count >= Capacity;

    public DateTimeOffset LastRefreshed { get; set; } = createdAt;

    public KadTableEntry? Find(Quids.Network.Core.PeerId peer) => _peers.Find(e => e.PeerId == peer);

    /// <summary>Moves an entry to the most recently seen end.</summary>
    public void Touch(KadTableEntry entry)
    {
        _peers.Remove(entry);
        _peers.Add(entry);
    }

    public void Add(KadTableEntry entry) => _peers.Add(entry);

    /// <summary>Keeps <paramref name="entry"/> as a replacement; the cache holds at most <see cref="Capacity"/>, the freshest.</summary>
    public void AddReplacement(KadTableEntry entry)
    {
        _replacements.RemoveAll(e => e.PeerId == entry.PeerId);
        _replacements.Add(entry);
        if (_replacements.Count > Capacity)
        {
            _replacements.RemoveAt(0);
        }
    }

    /// <summary>Removes the peer (from the bucket or the cache) and fills its place with the freshest replacement.</summary>
    public bool Remove(Quids.Network.Core.PeerId peer, out KadTableEntry? promoted)
    {
        promoted = null;
        int index = _peers.FindIndex(e => e.PeerId == peer);
        if (index < 0)
        {
            return _replacements.RemoveAll(e => e.PeerId == peer) > 0;
        }

        _peers.RemoveAt(index);
        if (_replacements.Count > 0)
        {
            promoted = _replacements[^1];
            _replacements.RemoveAt(_replacements.Count - 1);
            _peers.Add(promoted);
        }

        return true;
    }
}
