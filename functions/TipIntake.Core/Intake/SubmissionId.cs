using System.Buffers.Binary;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Intake;

/// <summary>
/// 128 random bits that a client chooses once per report and sends again with every resend of the same payload
/// (header <c>TipIntake-Submission</c>, or the form's hidden <c>submission</c> field). With the payload's digest it
/// decides the tip id and the receipt (<see cref="ReceiptIssuer.IdentityFor"/>), so that a resend after a lost or
/// ambiguous answer lands on the same row and gets the same receipt. It is never stored or logged.
/// </summary>
public readonly record struct SubmissionId
{
    /// <summary>Unpadded base64url of 16 bytes.</summary>
    public const int EncodedLength = 22;

    public const int ByteLength = 16;

    private readonly UInt128 _value;

    private SubmissionId(UInt128 value) => _value = value;

    public static SubmissionId New()
    {
        Span<byte> random = stackalloc byte[ByteLength];
        RandomNumberGenerator.Fill(random);
        return new SubmissionId(BinaryPrimitives.ReadUInt128BigEndian(random));
    }

    /// <summary>Exactly 22 base64url characters in their canonical form (the last one's unused bits zero).</summary>
    public static bool TryParse(string? text, out SubmissionId id)
    {
        id = default;
        if (text is not { Length: EncodedLength } || !JoseBase64.TryDecode(text, out var bytes) || bytes.Length != ByteLength)
        {
            return false;
        }

        id = new SubmissionId(BinaryPrimitives.ReadUInt128BigEndian(bytes));
        return string.Equals(id.ToString(), text, StringComparison.Ordinal);
    }

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, _value);

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        WriteTo(bytes);
        return JoseBase64.Encode(bytes);
    }
}
