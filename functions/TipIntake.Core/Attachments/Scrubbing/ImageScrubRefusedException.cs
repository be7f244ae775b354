namespace TipIntake.Core.Attachments.Scrubbing;

/// <summary>
/// An image the scrubber will not pass on, for the reason the browser's scrubber gives (docs/attachments.md,
/// "Scrubbing images in the browser"): <c>unsupported-format</c>, <c>truncated</c> or <c>malformed</c>. The message
/// names the structure that failed, never a byte of the image.
/// </summary>
public sealed class ImageScrubRefusedException(string reason, string detail) : Exception($"{reason}: {detail}")
{
    public string Reason { get; } = reason;

    public string Detail { get; } = detail;

    internal static ImageScrubRefusedException Truncated(string detail) => new("truncated", detail);

    internal static ImageScrubRefusedException Malformed(string detail) => new("malformed", detail);

    internal static ImageScrubRefusedException Unsupported(string detail) => new("unsupported-format", detail);
}
