namespace Quids.Network.Muxing.Yamux;

/// <summary>The Yamux header flags (spec "Flag Field"); unknown bits are ignored, as go-yamux and js-yamux do.</summary>
[Flags]
internal enum YamuxFlags : ushort
{
    None = 0,
    Syn = 0x1,
    Ack = 0x2,
    Fin = 0x4,
    Rst = 0x8,
}
