using System.Text.Json.Serialization;

namespace Quids.Network.Network;

/// <summary>
/// Source-generated System.Text.Json metadata for <see cref="AddressBookFile"/>: no reflection (trimming and
/// AOT safe). JSON rather than protobuf because the file lives in the operator's data directory, where being
/// able to read, diff and hand-edit it (or <c>jq</c> it) is worth more than the bytes saved.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = 8)]
[JsonSerializable(typeof(AddressBookFile))]
internal sealed partial class AddressBookJsonContext : JsonSerializerContext;
