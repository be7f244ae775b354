using System.Buffers.Binary;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>What a no-script answer form's session holds: the thread's lookup token <c>L</c> and its ref. The caller zeroes <see cref="Lookup"/>.</summary>
public sealed record FollowUpSession(byte[] Lookup, string Ref);

/// <summary>
/// The no-script answer form's hidden <c>session</c> (docs/follow-up.md, "The no-script path"): the form must not carry
/// the code, yet an answer needs <c>L</c> and the thread's ref. So the server seals them for itself, with an expiry:
/// <c>base64url(iv (12) ‖ AES-256-GCM(k, iv, aad = label, L (32) ‖ ref (16) ‖ expiry (8, Unix seconds, big-endian)) ‖ tag (16))</c>,
/// 112 characters, <c>k</c> derived from the pepper (<see cref="FollowUpSecrets.FormSessionKey"/>). A forged, altered
/// or expired session opens as nothing, all alike. Thread-safe.
/// </summary>
public sealed class FollowUpSessions
{
    /// <summary>The session's length in characters.</summary>
    public const int Length = 112;

    private const int RefBytes = 16;
    private const int PlaintextLength = FollowUpKeys.KeyBytes + RefBytes + sizeof(long);
    private static readonly byte[] AssociatedData = "tipintake/follow-up/form-session/v1"u8.ToArray();

    private readonly byte[] _key = new byte[32];
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public FollowUpSessions(FollowUpSecrets secrets, IOptions<FollowUpOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        secrets.FormSessionKey(_key);
        _lifetime = options.Value.SessionLifetime;
        _time = time;
    }

    /// <summary>A session for <paramref name="lookup"/> (32 bytes) and the thread <paramref name="threadRef"/>, good for <c>FollowUp:SessionLifetime</c>.</summary>
    public string Seal(ReadOnlySpan<byte> lookup, string threadRef)
    {
        ArgumentNullException.ThrowIfNull(threadRef);
        if (lookup.Length != FollowUpKeys.KeyBytes || JoseBase64.DecodeCanonical(threadRef, RefBytes) is not { } refBytes)
        {
            throw new ArgumentException("A session holds a 32-byte lookup token and a 22-character ref.");
        }

        Span<byte> plaintext = stackalloc byte[PlaintextLength];
        Span<byte> sealedSession = stackalloc byte[AesGcmSizes.IvLength + PlaintextLength + AesGcmSizes.TagLength];
        try
        {
            lookup.CopyTo(plaintext);
            refBytes.CopyTo(plaintext[FollowUpKeys.KeyBytes..]);
            BinaryPrimitives.WriteInt64BigEndian(plaintext[(FollowUpKeys.KeyBytes + RefBytes)..], (_time.GetUtcNow() + _lifetime).ToUnixTimeSeconds());
            RandomNumberGenerator.Fill(sealedSession[..AesGcmSizes.IvLength]);
            using var aes = new AesGcm(_key, AesGcmSizes.TagLength);
            aes.Encrypt(sealedSession[..AesGcmSizes.IvLength], plaintext, sealedSession.Slice(AesGcmSizes.IvLength, PlaintextLength), sealedSession[(AesGcmSizes.IvLength + PlaintextLength)..], AssociatedData);
            return JoseBase64.Encode(sealedSession);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The session's lookup token and ref, or null when it is not one this service sealed, or it has expired.</summary>
    public FollowUpSession? Open(string? session)
    {
        if (session is not { Length: Length } || JoseBase64.DecodeCanonical(session, AesGcmSizes.IvLength + PlaintextLength + AesGcmSizes.TagLength) is not { } bytes)
        {
            return null;
        }

        var plaintext = new byte[PlaintextLength];
        try
        {
            using var aes = new AesGcm(_key, AesGcmSizes.TagLength);
            aes.Decrypt(bytes.AsSpan(0, AesGcmSizes.IvLength), bytes.AsSpan(AesGcmSizes.IvLength, PlaintextLength), bytes.AsSpan(AesGcmSizes.IvLength + PlaintextLength), plaintext, AssociatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        try
        {
            var expiresAt = BinaryPrimitives.ReadInt64BigEndian(plaintext.AsSpan(FollowUpKeys.KeyBytes + RefBytes));
            return _time.GetUtcNow().ToUnixTimeSeconds() >= expiresAt
                ? null
                : new FollowUpSession(plaintext[..FollowUpKeys.KeyBytes], JoseBase64.Encode(plaintext.AsSpan(FollowUpKeys.KeyBytes, RefBytes)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
