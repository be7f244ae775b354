namespace TipIntake.Core.Jwe;

/// <summary>How a submission's envelope is wrong, each with its own specific explanation.</summary>
public enum JweFault
{
    Empty,
    TooLong,
    NotCompactSerialization,
    InvalidBase64Url,
    HeaderNotJsonObject,
    HeaderMemberMissing,
    HeaderMemberNotString,
    HeaderMemberDuplicated,
    UnsupportedHeaderParameter,
    UnsupportedAlgorithm,
    UnsupportedEncryption,
    UnsupportedContentType,
    InvalidKeyId,
    InvalidEncryptedKeyLength,
    InvalidIvLength,
    InvalidTagLength,
    EmptyCiphertext,
}

/// <summary>Whether the fault is a malformed envelope (400), a well-formed but unsupported one (422) or an oversized one (413).</summary>
public enum JweFaultKind
{
    Malformed,
    Unsupported,
    TooLarge,
}

public static class JweFaultDescriptions
{
    public static JweFaultKind KindOf(JweFault fault) => fault switch
    {
        JweFault.TooLong => JweFaultKind.TooLarge,
        JweFault.UnsupportedHeaderParameter or JweFault.UnsupportedAlgorithm or JweFault.UnsupportedEncryption
            or JweFault.UnsupportedContentType or JweFault.InvalidKeyId => JweFaultKind.Unsupported,
        _ => JweFaultKind.Malformed,
    };

    /// <summary>A stable, kebab-case code for problem types and quarantine reasons.</summary>
    public static string CodeOf(JweFault fault) => fault switch
    {
        JweFault.Empty => "empty-body",
        JweFault.TooLong => "too-large",
        JweFault.NotCompactSerialization => "not-compact-jwe",
        JweFault.InvalidBase64Url => "invalid-base64url",
        JweFault.HeaderNotJsonObject => "header-not-json",
        JweFault.HeaderMemberMissing => "header-member-missing",
        JweFault.HeaderMemberNotString => "header-member-not-string",
        JweFault.HeaderMemberDuplicated => "header-member-duplicated",
        JweFault.UnsupportedHeaderParameter => "unsupported-header-parameter",
        JweFault.UnsupportedAlgorithm => "unsupported-alg",
        JweFault.UnsupportedEncryption => "unsupported-enc",
        JweFault.UnsupportedContentType => "unsupported-cty",
        JweFault.InvalidKeyId => "unsupported-kid",
        JweFault.InvalidEncryptedKeyLength => "invalid-encrypted-key",
        JweFault.InvalidIvLength => "invalid-iv",
        JweFault.InvalidTagLength => "invalid-tag",
        JweFault.EmptyCiphertext => "empty-ciphertext",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    /// <summary>What is wrong, in words a client developer can act on. Never echoes the input.</summary>
    public static string DescribeOf(JweFault fault) => fault switch
    {
        JweFault.Empty => "The body is empty; send the JWE in compact serialisation.",
        JweFault.TooLong => "The JWE is longer than this service accepts.",
        JweFault.NotCompactSerialization => "The body is not a JWE in compact serialisation: it needs exactly five base64url segments separated by dots.",
        JweFault.InvalidBase64Url => "A segment is not unpadded base64url (RFC 7515 §2).",
        JweFault.HeaderNotJsonObject => "The protected header is not a UTF-8 JSON object.",
        JweFault.HeaderMemberMissing => "The protected header must contain alg, enc, kid and cty.",
        JweFault.HeaderMemberNotString => "The protected header members alg, enc, kid, cty and typ must be strings.",
        JweFault.HeaderMemberDuplicated => "The protected header names a member twice.",
        JweFault.UnsupportedHeaderParameter => "The protected header contains a parameter this service does not accept (only alg, enc, kid, cty and typ are allowed; zip and crit are not).",
        JweFault.UnsupportedAlgorithm => "Only alg RSA-OAEP-256 is accepted.",
        JweFault.UnsupportedEncryption => "Only enc A256GCM is accepted.",
        JweFault.UnsupportedContentType => "cty must be application/vnd.tipintake.tip.v1+json.",
        JweFault.InvalidKeyId => "kid must name a version of this service's intake key, as served by GET /api/intake-key.",
        JweFault.InvalidEncryptedKeyLength => "The encrypted key does not have the length of the intake key's modulus.",
        JweFault.InvalidIvLength => "The initialisation vector must be 96 bits (12 bytes).",
        JweFault.InvalidTagLength => "The authentication tag must be 128 bits (16 bytes).",
        JweFault.EmptyCiphertext => "The ciphertext is empty.",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };
}
