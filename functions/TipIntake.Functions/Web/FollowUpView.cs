using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Web;

/// <summary>
/// What the follow-up page shows besides its code form (docs/follow-up.md, "The no-script path"): a message in the
/// code form's status area, a thread the server opened, or the answer form again. Nothing here ever holds the code.
/// </summary>
public sealed record FollowUpView
{
    public static FollowUpView Blank { get; } = new();

    /// <summary>A translation key shown in the code form's status area (an error, or with <see cref="Informational"/> a notice).</summary>
    public string? StatusKey { get; init; }

    public bool Informational { get; init; }

    /// <summary>Threads opened on the server; the code form is not shown with them.</summary>
    public IReadOnlyList<FormThread>? Threads { get; init; }

    /// <summary>
    /// The answer form: under an opened thread that takes answers, or shown again on its own after a refused answer
    /// (the server cannot open the thread again without the code). None: the thread is closed.
    /// </summary>
    public AnswerBox? Answer { get; init; }

    /// <summary>The answer form's hidden fields, the text typed, and a translation key for what went wrong.</summary>
    public sealed record AnswerBox(string Session, string Submission, string Text, string? ErrorKey);
}
