using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TipIntake.Core.Intake;

/// <summary>A receipt as shown once to the reporter, and the salted hash that is all the service keeps of it.</summary>
public sealed record Receipt(string Code, string Hash);

/// <summary>
/// Issues receipts of 100 random bits, written as four groups of five Crockford base32 characters (no I, L, O or U,
/// so that they survive being copied by hand). Only HMAC-SHA-256(salt, code) is stored.
/// </summary>
public sealed class ReceiptIssuer(IOptions<IntakeOptions> options)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int Characters = 20;
    private readonly byte[] _salt = options.Value.ReceiptSaltBytes()
        ?? throw new InvalidOperationException("Intake:ReceiptSalt is not valid base64.");

    public Receipt Issue()
    {
        Span<byte> random = stackalloc byte[13];
        RandomNumberGenerator.Fill(random);
        Span<char> code = stackalloc char[Characters + 3];
        var bits = new System.Numerics.BigInteger(random, isUnsigned: true);
        var written = 0;
        for (var i = 0; i < Characters; i++)
        {
            if (i > 0 && i % 5 == 0)
            {
                code[written++] = '-';
            }

            code[written++] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        var text = new string(code[..written]);
        return new Receipt(text, HashOf(text));
    }

    /// <summary>The stored form of a receipt; dashes, spaces and case do not matter.</summary>
    public string HashOf(string receiptCode)
    {
        ArgumentNullException.ThrowIfNull(receiptCode);
        var normalized = receiptCode.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal)
            .ToUpperInvariant();
        return Jwe.JoseBase64.Encode(HMACSHA256.HashData(_salt, Encoding.ASCII.GetBytes(normalized)));
    }
}
