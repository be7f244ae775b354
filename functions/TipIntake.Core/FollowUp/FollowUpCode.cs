using System.Numerics;

namespace TipIntake.Core.FollowUp;

/// <summary>What a typed follow-up code turned out to be, before any lookup.</summary>
public enum FollowUpCodeStatus
{
    /// <summary>A well-formed code whose check symbols match: <c>V</c> was written out.</summary>
    Valid,

    /// <summary>Neither 20 letters and digits nor 32 digits once normalised.</summary>
    WrongLength,

    /// <summary>The right length, but the check symbols do not match what was typed (or the value cannot be a code).</summary>
    Typo,
}

/// <summary>
/// The follow-up code (docs/follow-up.md, "The follow-up code"): 90 random bits <c>V</c>, written as 20 Crockford
/// base32 symbols (18 of <c>V</c>, 2 check) in four groups of five, or as 32 digits (28 of <c>V</c> in decimal, 4
/// check) in eight groups of four. The check is a function of what was typed only, so a typo is named as one without
/// asking storage anything.
/// </summary>
public static class FollowUpCode
{
    /// <summary><c>V</c> is 12 bytes, big-endian, its top 6 bits zero.</summary>
    public const int ValueBytes = 12;

    public const int LetterSymbols = 20;
    public const int DigitSymbols = 32;

    private const int ValueBits = 90;
    private const int ValueLetters = 18;
    private const int ValueDigits = 28;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly byte[] CheckLabel = "tipintake/receipt-check/v1"u8.ToArray();
    private static readonly BigInteger Limit = BigInteger.One << ValueBits;

    /// <summary>The letters form, <c>XXXXX-XXXXX-XXXXX-XXXXX</c>.</summary>
    public static string FormatLetters(ReadOnlySpan<byte> value)
    {
        var v = ValueOf(value);
        Span<char> symbols = stackalloc char[LetterSymbols];
        for (var i = ValueLetters - 1; i >= 0; i--)
        {
            symbols[i] = Alphabet[(int)(v & 31)];
            v >>= 5;
        }

        var check = LetterCheck(value);
        symbols[ValueLetters] = Alphabet[check >> 5];
        symbols[ValueLetters + 1] = Alphabet[check & 31];
        return Group(symbols, 5);
    }

    /// <summary>The digits form, eight groups of four digits separated by spaces.</summary>
    public static string FormatDigits(ReadOnlySpan<byte> value)
    {
        var digits = ValueOf(value).ToString("D" + ValueDigits, CultureInfo.InvariantCulture)
            + DigitCheck(value).ToString("D4", CultureInfo.InvariantCulture);
        return Group(digits, 4, ' ');
    }

    /// <summary>
    /// Reads a code as a reporter may type or paste it (<see cref="Normalize"/>); writes <c>V</c> into
    /// <paramref name="value"/> (12 bytes) only when the result is <see cref="FollowUpCodeStatus.Valid"/>.
    /// </summary>
    public static FollowUpCodeStatus Parse(string? typed, Span<byte> value)
    {
        if (value.Length != ValueBytes)
        {
            throw new ArgumentException($"V is {ValueBytes} bytes.", nameof(value));
        }

        var symbols = Normalize(typed ?? "");
        BigInteger v;
        Span<byte> bytes = stackalloc byte[ValueBytes];
        if (symbols.Length == LetterSymbols && symbols.All(c => Alphabet.Contains(c, StringComparison.Ordinal)))
        {
            v = BigInteger.Zero;
            for (var i = 0; i < ValueLetters; i++)
            {
                v = (v << 5) | Alphabet.IndexOf(symbols[i], StringComparison.Ordinal);
            }

            Write(v, bytes);
            var check = (Alphabet.IndexOf(symbols[ValueLetters], StringComparison.Ordinal) << 5) | Alphabet.IndexOf(symbols[ValueLetters + 1], StringComparison.Ordinal);
            return Accept(check == LetterCheck(bytes), bytes, value);
        }

        if (symbols.Length == DigitSymbols && symbols.All(char.IsAsciiDigit))
        {
            v = BigInteger.Parse(symbols.AsSpan(0, ValueDigits), NumberStyles.None, CultureInfo.InvariantCulture);
            if (v >= Limit)
            {
                return FollowUpCodeStatus.Typo;
            }

            Write(v, bytes);
            var check = int.Parse(symbols.AsSpan(ValueDigits), NumberStyles.None, CultureInfo.InvariantCulture);
            return Accept(check == DigitCheck(bytes), bytes, value);
        }

        return FollowUpCodeStatus.WrongLength;
    }

    /// <summary>
    /// Unicode NFKC (full-width digits and letters of Korean and Chinese input methods become ASCII), upper case,
    /// without white space (a pasted line break too), dashes, dots or middle dots; <c>O</c> read as <c>0</c>, <c>I</c>
    /// and <c>L</c> as <c>1</c>.
    /// </summary>
    public static string Normalize(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        var normalized = typed.Normalize(NormalizationForm.FormKC).ToUpperInvariant();
        var kept = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (char.IsWhiteSpace(c) || c is '.' or '\u00B7' or '\u2027' or '\u30FB' || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DashPunctuation)
            {
                continue;
            }

            kept.Append(c switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                _ => c,
            });
        }

        return kept.ToString();
    }

    private static FollowUpCodeStatus Accept(bool checkMatches, ReadOnlySpan<byte> bytes, Span<byte> value)
    {
        if (!checkMatches)
        {
            return FollowUpCodeStatus.Typo;
        }

        bytes.CopyTo(value);
        return FollowUpCodeStatus.Valid;
    }

    /// <summary>The first 10 bits of the check digest.</summary>
    private static int LetterCheck(ReadOnlySpan<byte> value)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        CheckDigest(value, digest);
        return (digest[0] << 2) | (digest[1] >> 6);
    }

    /// <summary>The first two bytes of the check digest, big-endian, mod 10,000.</summary>
    private static int DigitCheck(ReadOnlySpan<byte> value)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        CheckDigest(value, digest);
        return ((digest[0] << 8) | digest[1]) % 10_000;
    }

    private static void CheckDigest(ReadOnlySpan<byte> value, Span<byte> digest)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(CheckLabel);
        sha.AppendData(value);
        sha.GetHashAndReset(digest);
    }

    private static BigInteger ValueOf(ReadOnlySpan<byte> value)
    {
        if (value.Length != ValueBytes || (value[0] & 0xFC) != 0)
        {
            throw new ArgumentException($"V is {ValueBytes} bytes with its top 6 bits zero.", nameof(value));
        }

        return new BigInteger(value, isUnsigned: true, isBigEndian: true);
    }

    private static void Write(BigInteger v, Span<byte> bytes)
    {
        bytes.Clear();
        var length = v.GetByteCount(isUnsigned: true);
        v.TryWriteBytes(bytes[(ValueBytes - length)..], out _, isUnsigned: true, isBigEndian: true);
    }

    private static string Group(ReadOnlySpan<char> symbols, int size, char separator = '-')
    {
        var grouped = new StringBuilder(symbols.Length + (symbols.Length / size));
        for (var i = 0; i < symbols.Length; i++)
        {
            if (i > 0 && i % size == 0)
            {
                grouped.Append(separator);
            }

            grouped.Append(symbols[i]);
        }

        return grouped.ToString();
    }
}
