using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>
/// Validates a tip's optional <c>followUp</c> member (docs/follow-up.md, "The protocol" §1): exactly <c>v</c> (1),
/// <c>lookup</c> (32 bytes), <c>key</c> (an EC P-256 public JWK: exactly kty, crv, x, y, a point of the curve) and
/// <c>sealedKey</c> (204 bytes), each in canonical unpadded base64url. Anything else is a rejection with a code — never a
/// reason to refuse the tip, which matters more than its follow-up.
/// </summary>
public static class FollowUpReader
{
    public const int Version = 1;

    public static FollowUpRead Read(JsonElement? member)
    {
        if (member is not { } followUp)
        {
            return FollowUpRead.Absent;
        }

        if (followUp.ValueKind != JsonValueKind.Object)
        {
            return FollowUpRead.Rejected(FollowUpRejection.NotAnObject);
        }

        if (Members(followUp, "v", "lookup", "key", "sealedKey") is { } membersWrong)
        {
            return FollowUpRead.Rejected(membersWrong);
        }

        if (followUp.GetProperty("v") is not { ValueKind: JsonValueKind.Number } v || !v.TryGetInt32(out var version) || version != Version
            || v.GetRawText() != "1")
        {
            return FollowUpRead.Rejected(FollowUpRejection.UnsupportedVersion);
        }

        if (JoseBase64.DecodeCanonical(followUp.GetProperty("lookup"), FollowUpKeys.KeyBytes) is not { } lookup)
        {
            return FollowUpRead.Rejected(FollowUpRejection.LookupInvalid);
        }

        var key = followUp.GetProperty("key");
        if (key.ValueKind != JsonValueKind.Object)
        {
            return FollowUpRead.Rejected(FollowUpRejection.KeyInvalid);
        }

        if (Members(key, "kty", "crv", "x", "y") is { } keyMembersWrong)
        {
            return FollowUpRead.Rejected(keyMembersWrong);
        }

        if (key.GetProperty("kty") is not { ValueKind: JsonValueKind.String } kty || kty.GetString() != "EC"
            || key.GetProperty("crv") is not { ValueKind: JsonValueKind.String } crv || crv.GetString() != "P-256"
            || JoseBase64.DecodeCanonical(key.GetProperty("x"), 32) is not { } x
            || JoseBase64.DecodeCanonical(key.GetProperty("y"), 32) is not { } y)
        {
            return FollowUpRead.Rejected(FollowUpRejection.KeyInvalid);
        }

        using var point = P256PublicKeys.Import(x, y);
        if (point is null)
        {
            return FollowUpRead.Rejected(FollowUpRejection.KeyNotOnCurve);
        }

        if (JoseBase64.DecodeCanonical(followUp.GetProperty("sealedKey"), FollowUpSecrets.SealedKeyBytes) is null)
        {
            return FollowUpRead.Rejected(FollowUpRejection.SealedKeyInvalid);
        }

        var publicKey = new ReporterPublicKey(JoseBase64.Encode(x), JoseBase64.Encode(y));
        return new FollowUpRead(new FollowUpEnrolment(lookup, publicKey, followUp.GetProperty("sealedKey").GetString()!, version), null);
    }

    /// <summary>Exactly the <paramref name="names"/>, each once (the tip's parser already refuses a duplicate anywhere).</summary>
    private static FollowUpRejection? Members(JsonElement element, params ReadOnlySpan<string> names) => JsonMembers.Check(element, names) switch
    {
        null => null,
        MemberMismatch.Unknown => FollowUpRejection.UnknownMember,
        _ => FollowUpRejection.MissingMember,
    };
}
