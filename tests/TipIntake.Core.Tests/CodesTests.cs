using TipIntake.Core.FloodControl;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests;

/// <summary>The codes are published (problem types, quarantine partitions, logs, docs): a renamed member must not change one.</summary>
public sealed class CodesTests
{
    [Fact]
    public void Envelope_faults_keep_their_published_codes()
    {
        Assert.Equal(
            ["empty-body", "too-large", "not-compact-jwe", "invalid-base64url", "header-not-json", "header-member-missing",
             "header-member-not-string", "header-member-duplicated", "unsupported-header-parameter", "unsupported-alg",
             "unsupported-enc", "unsupported-cty", "unsupported-kid", "invalid-encrypted-key", "invalid-iv", "invalid-tag",
             "empty-ciphertext"],
            Enum.GetValues<JweFault>().Select(Codes.Of));
    }

    [Fact]
    public void Flood_refusals_keep_their_published_codes()
    {
        Assert.Equal(
            ["stamp-required", "stamp-malformed", "stamp-invalid", "stamp-expired", "stamp-reused", "stamp-insufficient",
             "effort-too-low", "rate-limited", "ticket-invalid", "ticket-expired", "ticket-used"],
            Enum.GetValues<FloodRefusal>().Select(Codes.Of));
    }

    [Fact]
    public void Quarantine_reasons_keep_their_published_codes()
    {
        Assert.Equal(
            ["envelope-invalid", "jwe-invalid", "key-unavailable", "unwrap-rejected", "tag-mismatch", "tip-invalid",
             "retries-exhausted", "jwe-missing", "answer-invalid", "answer-unmatched", "attachment-orphan", "upload-abandoned",
             "attachment-missing", "attachment-mismatch", "attachment-over-limit", "attachment-invalid"],
            Enum.GetValues<QuarantineReason>().Select(Codes.Of));
    }

    [Fact]
    public void Staff_rejection_reasons_keep_their_logged_codes()
    {
        Assert.Equal(
            ["missing", "malformed", "expired", "not-yet-valid", "bad-signature", "bad-algorithm", "wrong-issuer", "wrong-audience",
             "no-oid", "not-access-token", "wrong-scope", "wrong-client", "not-configured", "unavailable", "no-authenticator"],
            Enum.GetValues<StaffRejectionReason>().Select(Codes.Of));
    }

    [Fact]
    public void Audit_actions_keep_their_stored_codes()
    {
        Assert.Equal(
            ["status-changed", "assigned", "labels-changed", "note-added", "viewed", "linked", "unlinked", "searched", "dismissed-in-bulk",
             "thread-viewed", "message-sent", "answer-received", "answers-read", "follow-up-expired", "attachment-downloaded",
             "attachment-integrity-failed", "attachment-quarantined"],
            Enum.GetValues<TipEventAction>().Select(Codes.Of));
    }

    [Fact]
    public void Attachment_integrity_faults_keep_their_logged_codes()
    {
        Assert.Equal(
            ["none", "length", "chunk", "digest", "padding", "sha256", "key", "absent"],
            Enum.GetValues<Core.Attachments.AttachmentIntegrityFault>().Select(Codes.Of));
    }

    [Fact]
    public void An_unnamed_value_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Codes.Of((QuarantineReason)99));
    }
}
