using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// The attachments' scripts (docs/attachments.md, "Encryption", "The upload protocol"): their Node suite
/// (<c>Web/Attachments/attachment-crypto.test.mjs</c>) run against the embedded <c>attachment-crypto.js</c> and
/// <c>uploads.js</c> and reported by name, and a cross-check: files sealed by the browser's module decrypt with the
/// server's <see cref="ChunkCipher"/>, bind with <see cref="UploadDigest"/>, pass every check of
/// <see cref="AttachmentDecryptor"/>, and make a manifest entry <see cref="AttachmentManifestReader"/> takes.
/// </summary>
public sealed class AttachmentScriptTests
{
    private const string SuiteFile = "attachment-crypto.test.mjs";
    private static readonly string[] Modules = ["Web/assets/attachment-crypto.js", "Web/assets/uploads.js"];
    private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "Web", "Attachments");
    private static readonly Lazy<Task<NodeSuiteRun>> Run = new(() => NodeSuiteRun.StartAsync(SuiteDirectory, SuiteFile, Modules));

    public static TheoryData<string> SuiteTests() => NodeSuiteRun.TestNames(SuiteDirectory, SuiteFile);

    [Theory]
    [MemberData(nameof(SuiteTests))]
    public async Task Attachment_script_test_passes_under_node(string name)
    {
        var run = await Run.Value;
        Assert.True(run.Outcomes.TryGetValue(name, out var passed), $"node did not report '{name}'.\n{run.Output}");
        Assert.True(passed, $"'{name}' failed under node:\n{run.FailureDetail(name)}");
    }

    [Fact]
    public async Task The_whole_suite_ran_and_node_exited_cleanly()
    {
        var run = await Run.Value;
        Assert.True(run.ExitCode == 0, $"node exited with {run.ExitCode}.\n{run.Output}\n{run.Errors}");
        Assert.Equal(SuiteTests().Count, run.Outcomes.Count);
        Assert.True(SuiteTests().Count >= 14, "the suite lost tests");
    }

    [Fact]
    public async Task Files_sealed_by_the_browsers_module_decrypt_with_the_servers_cipher_digest_and_decryptor()
    {
        using var rsa = RSA.Create(3072);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var kid = "https://tipintake-local.vault.localhost/keys/intake-dev/00112233445566778899aabbccddeeff";
        const int small = ChunkLayout.SmallPlaintextBytes;
        int[][] cases =
        [
            [0, ChunkLayout.SmallChunkBytes], [1, ChunkLayout.SmallChunkBytes], [small - 1, ChunkLayout.SmallChunkBytes],
            [small, ChunkLayout.SmallChunkBytes], [small + 1, ChunkLayout.SmallChunkBytes], [(3 * small) + 17, ChunkLayout.SmallChunkBytes],
            [ChunkLayout.LargePlaintextBytes + 5, ChunkLayout.LargeChunkBytes],
        ];
        var input = JsonSerializer.Serialize(new
        {
            jwk = new { kty = "RSA", n = Base64Url.EncodeToString(parameters.Modulus), e = Base64Url.EncodeToString(parameters.Exponent), alg = "RSA-OAEP-256", kid },
            cases = cases.Select(c => new { size = c[0], chunkBytes = c[1] }),
        });
        var layout = JsonSerializer.Serialize(new { tagBytes = ChunkLayout.TagBytes, ladder = ChunkLayout.Ladder });

        var lines = (await RunVectorsAsync(layout, input)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(cases.Length, lines.Length);
        foreach (var line in lines)
        {
            using var vector = JsonDocument.Parse(line);
            var entry = vector.RootElement.GetProperty("entry");
            var plaintext = Convert.FromBase64String(vector.RootElement.GetProperty("plaintext").GetString()!);
            var ciphertext = Convert.FromBase64String(vector.RootElement.GetProperty("ciphertext").GetString()!);
            var upload = entry.GetProperty("upload").GetString()!;
            var chunks = entry.GetProperty("chunks").GetInt32();
            var chunkBytes = entry.GetProperty("chunkBytes").GetInt32();
            Assert.Equal(ChunkLayout.ChunksFor(plaintext.Length, chunkBytes), chunks);
            Assert.Equal(chunks * chunkBytes, ciphertext.Length);
            Assert.Equal(kid, entry.GetProperty("key").GetProperty("kid").GetString());

            var key = rsa.Decrypt(Base64Url.DecodeFromChars(entry.GetProperty("key").GetProperty("ek").GetString()), RSAEncryptionPadding.OaepSHA256);
            var digests = Enumerable.Range(0, chunks).Select(i => SHA256.HashData(ciphertext.AsSpan(i * chunkBytes, chunkBytes))).ToList();
            var digest = Base64Url.DecodeFromChars(entry.GetProperty("digest").GetString());
            Assert.Equal(UploadDigest.Compute(chunks, chunkBytes, digests), digest);

            using (var cipher = new ChunkCipher(key, upload))
            {
                var chunk = new byte[chunkBytes - ChunkLayout.TagBytes];
                Assert.True(cipher.TryDecrypt(0, chunks == 1, ciphertext.AsSpan(0, chunkBytes), chunk));
                Assert.False(cipher.TryDecrypt(0, chunks != 1, ciphertext.AsSpan(0, chunkBytes), chunk), "the last-chunk flag is part of the nonce");
            }

            using var decrypted = new MemoryStream();
            var file = new StoredAttachment(upload, chunks, chunkBytes, entry.GetProperty("size").GetInt64(), digest, Base64Url.DecodeFromChars(entry.GetProperty("sha256").GetString()));
            Assert.Equal(AttachmentIntegrityFault.None, await AttachmentDecryptor.DecryptAsync(new MemoryStream(ciphertext), decrypted, file, key, default));
            Assert.Equal(plaintext, decrypted.ToArray());

            using var manifest = JsonDocument.Parse($"[{entry.GetRawText()}]");
            var read = AttachmentManifestReader.Read(manifest.RootElement, new AttachmentLimits());
            Assert.Null(read.Fault);
            Assert.Empty(read.Rejected);
            Assert.Equal(plaintext.Length, read.Entries.Single().Size);
        }
    }

    /// <summary>Runs attachment-vectors.mjs beside the embedded modules, with <paramref name="input"/> on its stdin.</summary>
    private static async Task<string> RunVectorsAsync(string layout, string input)
    {
        var scratch = Directory.CreateTempSubdirectory("tipintake-vectors-");
        try
        {
            foreach (var module in Modules)
            {
                File.WriteAllText(Path.Combine(scratch.FullName, Path.GetFileName(module)), WebResources.Read(module));
            }

            File.Copy(Path.Combine(SuiteDirectory, "attachment-vectors.mjs"), Path.Combine(scratch.FullName, "attachment-vectors.mjs"));
            File.WriteAllText(Path.Combine(scratch.FullName, "package.json"), """{ "type": "module" }""");
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = scratch.FullName,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
            };
            start.ArgumentList.Add("attachment-vectors.mjs");
            start.ArgumentList.Add(layout);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(deadline.Token);
            Assert.True(process.ExitCode == 0, await errors);
            return await output;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
