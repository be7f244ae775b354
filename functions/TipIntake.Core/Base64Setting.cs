namespace TipIntake.Core;

/// <summary>A secret given in settings as base64 (a pepper, a salt, a key): its bytes, or null when absent or not base64.</summary>
internal static class Base64Setting
{
    public static byte[]? Decode(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return null;
        }

        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
