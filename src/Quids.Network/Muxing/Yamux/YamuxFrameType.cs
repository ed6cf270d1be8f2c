namespace Quids.Network.Muxing.Yamux;

/// <summary>The Yamux frame types (spec "Type Field"); any other value is a protocol error.</summary>
internal enum YamuxFrameType : byte
{
    Data = 0,
    WindowUpdate = 1,
    Ping = 2,
    GoAway = 3,
}
