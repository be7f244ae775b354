using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TipIntake.Testing;

/// <summary>
/// A certificate authority made for one test run, so that fakes can serve HTTPS under their real host names (e.g.
/// <c>tipintake-test.vault.azure.net</c>) to a worker process that trusts this CA. On Linux .NET builds its trust
/// store from OpenSSL's paths, which the <c>SSL_CERT_FILE</c> environment variable overrides: <see cref="TrustBundlePath"/>
/// is the system's bundle plus this CA, for the child's <c>SSL_CERT_FILE</c>.
/// </summary>
public static class TestCertificateAuthority
{
    private static readonly Lazy<(X509Certificate2 Certificate, string Bundle)> Authority = new(Create);

    /// <summary>A PEM file that the worker's <c>SSL_CERT_FILE</c> can name.</summary>
    public static string TrustBundlePath => Authority.Value.Bundle;

    /// <summary>A server certificate for <paramref name="hosts"/>, signed by the test CA, with its private key.</summary>
    public static X509Certificate2 Issue(IReadOnlyCollection<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={hosts.First()}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            names.AddDnsName(host);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(Authority.Value.Certificate, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static (X509Certificate2, string) Create()
    {
        // Not disposed: the CA certificate signs with it for the whole run.
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=TipIntake test CA (one test run only)", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        var folder = Directory.CreateTempSubdirectory("tipintake-test-ca-");
        var bundle = Path.Combine(folder.FullName, "ca-bundle.pem");
        const string SystemBundle = "/etc/ssl/certs/ca-certificates.crt";
        var system = File.Exists(SystemBundle) ? File.ReadAllText(SystemBundle) + "\n" : "";
        File.WriteAllText(bundle, system + certificate.ExportCertificatePem() + "\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is under the temp folder.
            }
        };
        return (certificate, bundle);
    }
}
