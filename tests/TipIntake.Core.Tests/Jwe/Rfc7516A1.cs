namespace TipIntake.Core.Tests.Jwe;

/// <summary>RFC 7516 Appendix A.1: "JWE using RSAES-OAEP and AES GCM", values as published.</summary>
internal static class Rfc7516A1
{
    /// <summary>A.1.1: BASE64URL(UTF8({"alg":"RSA-OAEP","enc":"A256GCM"})); its ASCII is the AAD (A.1.5).</summary>
    public const string EncodedProtectedHeader = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ";

    /// <summary>A.1.2: the content encryption key.</summary>
    public static readonly byte[] ContentKey =
    [
        177, 161, 244, 128, 84, 143, 225, 115, 63, 180, 3, 255, 107, 154,
        212, 246, 138, 7, 110, 91, 112, 46, 34, 105, 47, 130, 203, 46, 122,
        234, 64, 252,
    ];

    /// <summary>A.1.4: the initialisation vector.</summary>
    public static readonly byte[] InitializationVector = [227, 197, 117, 252, 2, 219, 233, 68, 180, 225, 77, 219];

    public const string EncodedInitializationVector = "48V1_ALb6US04U3b";

    public const string EncodedEncryptedKey =
        "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe"
        + "ipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDb"
        + "Sv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaV"
        + "mqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je8"
        + "1860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi"
        + "6UklfCpIMfIjf7iGdXKHzg";

    /// <summary>A.1.6: the ciphertext.</summary>
    public const string EncodedCiphertext = "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A";

    /// <summary>A.1.6: the authentication tag.</summary>
    public const string EncodedAuthenticationTag = "XFBoMYUZodetZdvTiFvSkQ";

    public const string Plaintext = "The true sign of intelligence is not knowledge but imagination.";

    /// <summary>A.1.7: the complete compact serialisation.</summary>
    public const string Compact = EncodedProtectedHeader + "." + EncodedEncryptedKey + "." + EncodedInitializationVector
        + "." + EncodedCiphertext + "." + EncodedAuthenticationTag;
}
