using TipIntake.Core.Intake;

namespace TipIntake.Core.Attachments;

/// <summary>
/// The id a client chooses for one file's upload (docs/attachments.md, "The upload protocol"): 16 random bytes as 22
/// base64url characters in their canonical form — the submission id's format. It keys the upload's row and blob and
/// is part of every chunk's associated data; it is never logged.
/// </summary>
public readonly record struct UploadId
{
    private readonly string _value;

    private UploadId(string value) => _value = value;

    /// <summary>A fresh id, for an upload the server makes itself (the no-script path).</summary>
    public static UploadId New() => new(SubmissionId.New().ToString());

    public static bool TryParse(string? text, out UploadId id)
    {
        id = SubmissionId.TryParse(text, out _) ? new UploadId(text!) : default;
        return id._value is not null;
    }

    /// <summary>The 22 characters, as the client sent them (they are canonical).</summary>
    public override string ToString() => _value ?? "";
}
