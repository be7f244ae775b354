namespace TipIntake.Core;

/// <summary>
/// The AES-GCM sizes of every seal and JWE here (A256GCM's, RFC 7518 §5.3): a 96-bit IV and a 128-bit tag. The
/// attachment chunks keep their own in <see cref="Attachments.ChunkLayout"/>, part of their documented layout.
/// </summary>
public static class AesGcmSizes
{
    public const int IvLength = 12;
    public const int TagLength = 16;
}
