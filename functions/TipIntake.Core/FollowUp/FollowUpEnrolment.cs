using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>Why a tip's <c>followUp</c> member was not taken (the tip is stored all the same, <c>FollowUp = rejected:&lt;code&gt;</c>).</summary>
public enum FollowUpRejection
{
    /// <summary>Not a JSON object.</summary>
    NotAnObject,

    /// <summary>A member other than <c>v</c>, <c>lookup</c>, <c>key</c>, <c>sealedKey</c> (or, in <c>key</c>, other than kty, crv, x, y).</summary>
    UnknownMember,

    /// <summary>One of the four members (or of the key's four) is missing.</summary>
    MissingMember,

    /// <summary><c>v</c> is not the number 1.</summary>
    UnsupportedVersion,

    /// <summary><c>lookup</c> is not 43 characters of canonical unpadded base64url.</summary>
    LookupInvalid,

    /// <summary><c>key</c> is not an EC P-256 public JWK with 43-character canonical coordinates.</summary>
    KeyInvalid,

    /// <summary><c>key</c>'s coordinates are not a point of P-256.</summary>
    KeyNotOnCurve,

    /// <summary><c>sealedKey</c> is not 272 characters of canonical unpadded base64url.</summary>
    SealedKeyInvalid,
}

/// <summary>The reporter's public key: an EC P-256 JWK's coordinates, canonical base64url.</summary>
public sealed record ReporterPublicKey(string X, string Y)
{
    /// <summary>The JWK with its required members in lexicographic order, as RFC 7638 hashes it (and as it is stored).</summary>
    public string Jwk => $$"""{"crv":"P-256","kty":"EC","x":"{{X}}","y":"{{Y}}"}""";

    /// <summary>The RFC 7638 SHA-256 thumbprint, base64url: the <c>kid</c> the organisation's messages name.</summary>
    public string Thumbprint => JoseBase64.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Jwk)));
}

/// <summary>A valid <c>followUp</c> member: <c>L</c> (32 bytes; never stored or logged), the reporter's key, the sealed private key.</summary>
public sealed record FollowUpEnrolment(ReadOnlyMemory<byte> Lookup, ReporterPublicKey Key, string SealedKey, int Version);

/// <summary>What a tip says about follow-up: nothing (<see cref="Absent"/>), a valid enrolment, or why its member was refused.</summary>
public readonly record struct FollowUpRead(FollowUpEnrolment? Enrolment, FollowUpRejection? Rejection)
{
    public static FollowUpRead Absent => default;

    public static FollowUpRead Rejected(FollowUpRejection rejection) => new(null, rejection);
}
