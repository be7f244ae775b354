using TipIntake.Core.FloodControl;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;

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
             "retries-exhausted", "jwe-missing", "answer-invalid", "answer-unmatched"],
            Enum.GetValues<QuarantineReason>().Select(Codes.Of));
    }

    [Fact]
    public void An_unnamed_value_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Codes.Of((QuarantineReason)99));
    }
}
