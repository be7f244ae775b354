namespace TipIntake.Core.Jwe;

/// <summary>
/// How a submission's envelope is wrong, each with its own explanation and its code (<see cref="Codes"/>: the name in
/// kebab-case, as problem types and quarantine reasons carry it).
/// </summary>
public enum JweFault
{
    EmptyBody,
    TooLarge,
    NotCompactJwe,

    /// <summary>A segment is not unpadded base64url (one word, so that its code stays <c>invalid-base64url</c>).</summary>
    InvalidBase64url,
    HeaderNotJson,
    HeaderMemberMissing,
    HeaderMemberNotString,
    HeaderMemberDuplicated,
    UnsupportedHeaderParameter,
    UnsupportedAlg,
    UnsupportedEnc,
    UnsupportedCty,

    /// <summary>The <c>kid</c> names no enabled version of the intake key.</summary>
    UnsupportedKid,

    /// <summary>The encrypted key is not as long as the key's modulus.</summary>
    InvalidEncryptedKey,
    InvalidIv,
    InvalidTag,
    EmptyCiphertext,
}

/// <summary>Whether the fault is a malformed envelope (400), a well-formed but unsupported one (422) or an oversized one (413).</summary>
public enum JweFaultKind
{
    Malformed,
    Unsupported,
    TooLarge,
}

public static class JweFaults
{
    public static JweFaultKind KindOf(JweFault fault) => fault switch
    {
        JweFault.TooLarge => JweFaultKind.TooLarge,
        JweFault.UnsupportedHeaderParameter or JweFault.UnsupportedAlg or JweFault.UnsupportedEnc
            or JweFault.UnsupportedCty or JweFault.UnsupportedKid => JweFaultKind.Unsupported,
        _ => JweFaultKind.Malformed,
    };
}
