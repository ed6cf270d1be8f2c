namespace Quids.Network.Core;

/// <summary>The key types of the libp2p peer-ids spec, with their protobuf enum values.</summary>
public enum KeyType
{
    /// <summary>RSA; public key as DER-encoded PKIX, PKCS#1 v1.5 signatures over SHA-256.</summary>
    Rsa = 0,

    /// <summary>Ed25519 (the default identity of libp2p nodes and of Quids nodes).</summary>
    Ed25519 = 1,

    /// <summary>secp256k1 with Bitcoin encodings.</summary>
    Secp256k1 = 2,

    /// <summary>ECDSA; public key as DER-encoded ASN.1, DER signatures over SHA-256.</summary>
    Ecdsa = 3,
}
