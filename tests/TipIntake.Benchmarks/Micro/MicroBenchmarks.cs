using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;
using TipIntake.Functions.Http;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.Benchmarks.Micro;

/// <summary>The hot paths of intake and processing, one operation each, with allocations.</summary>
[MemoryDiagnoser]
[SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class MicroBenchmarks
{
    private readonly string _keyFolder = Path.Combine(Path.GetTempPath(), "tipintake-bench-key");
    private LocalDevelopmentKey _key = null!;
    private string _jwe2K = "";
    private string _jwe16K = "";
    private CompactJwe _parsed2K = null!;
    private CompactJwe _parsed16K = null!;
    private byte[] _contentKey2K = [];
    private byte[] _contentKey16K = [];
    private byte[] _plaintext2K = [];
    private Tip _tip = null!;
    private TipRouter _router = null!;
    private TipIntakeService _intake = null!;
    private string _badAlgJwe = "";
    private DateTimeOffset _now;
    private readonly ServiceProvider _services = new ServiceCollection().AddLogging().BuildServiceProvider();

    [GlobalSetup]
    public void Setup()
    {
        _key = TipFactory.Key(_keyFolder);
        _plaintext2K = TipFactory.TipJson(2 * 1024);
        _jwe2K = TipFactory.JweAsync(_key, _plaintext2K).GetAwaiter().GetResult();
        _jwe16K = TipFactory.JweAsync(_key, TipFactory.TipJson(16 * 1024)).GetAwaiter().GetResult();
        _parsed2K = Parse(_jwe2K);
        _parsed16K = Parse(_jwe16K);
        _contentKey2K = _key.UnwrapAsync(_parsed2K.Header.KeyId, _parsed2K.EncryptedKey, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _contentKey16K = _key.UnwrapAsync(_parsed16K.Header.KeyId, _parsed16K.EncryptedKey, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _now = DateTimeOffset.UtcNow;
        _tip = TipReader.Read(_plaintext2K, _now).Tip ?? throw new InvalidOperationException("The benchmark tip is not valid.");
        _router = new TipRouter(Options.Create(new RoutingOptions()));
        var intakeOptions = Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(new byte[32]) });
        _intake = new TipIntakeService(_key, new NullInbox(), new NullClaimChecks(), new ReceiptIssuer(intakeOptions), TimeProvider.System, intakeOptions, NullLogger<TipIntakeService>.Instance);

        // The same JWE with "alg":"RSA1_5" in its header: refused with 422 and a problem+json body.
        var header = JoseBase64.Encode(System.Text.Encoding.ASCII.GetBytes(
            System.Text.Encoding.ASCII.GetString(JoseBase64.TryDecode(_jwe2K.Split('.')[0], out var h) ? h : [])
                .Replace("RSA-OAEP-256", "RSA1_5", StringComparison.Ordinal)));
        _badAlgJwe = string.Concat(header, _jwe2K.AsSpan(_jwe2K.IndexOf('.', StringComparison.Ordinal)));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _services.Dispose();
    }

    [Benchmark(Description = "JWE parse + header validation (2 KB tip)")]
    public bool ParseJwe() => JweParser.TryParse(_jwe2K, TipEnvelope.MaxJweLength, out _, out _);

    [Benchmark(Description = "AES-256-GCM decrypt, 2 KB tip")]
    public int Decrypt2K() => JweDecryptor.TryDecrypt(_parsed2K, _contentKey2K, out var plaintext) ? plaintext.Length : -1;

    [Benchmark(Description = "AES-256-GCM decrypt, 16 KB tip")]
    public int Decrypt16K() => JweDecryptor.TryDecrypt(_parsed16K, _contentKey16K, out var plaintext) ? plaintext.Length : -1;

    [Benchmark(Description = "RSA-OAEP-256 unwrap, local RSA-3072 (Key Vault does this in Azure)")]
    public int Unwrap() => _key.UnwrapAsync(_parsed2K.Header.KeyId, _parsed2K.EncryptedKey, CancellationToken.None).AsTask().GetAwaiter().GetResult().Length;

    [Benchmark(Description = "Tip validation (TipReader, 2 KB)")]
    public bool Validate() => TipReader.Read(_plaintext2K, _now).IsValid;

    [Benchmark(Description = "Routing")]
    public int Route() => _router.Route(_tip).Priority;

    [Benchmark(Description = "Error path: refused JWE → problem+json written")]
    public async Task<int> ProblemPath()
    {
        var result = await _intake.SubmitAsync(_badAlgJwe, CancellationToken.None);
        var fault = result is IntakeResult.Refused refused ? refused.Fault : throw new InvalidOperationException("Not refused.");
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Response.Body = Stream.Null;
        await Problems.ForFault(fault).ExecuteAsync(http);
        return http.Response.StatusCode;
    }

    private static CompactJwe Parse(string compact) =>
        JweParser.TryParse(compact, TipEnvelope.MaxJweLength, out var jwe, out var fault) ? jwe : throw new InvalidOperationException(fault.ToString());

    private sealed class NullInbox : ITipInbox
    {
        public Task EnqueueAsync(TipEnvelope envelope, Lane lane, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RequeueAsync(Lane lane, ReadOnlyMemory<byte> message, TimeSpan delay, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<long> CountAsync(Lane lane, CancellationToken cancellationToken) => Task.FromResult(0L);
    }

    /// <summary>Never used by the measured 2 KB path (its JWE travels in the message).</summary>
    private sealed class NullClaimChecks : IClaimCheckStore
    {
        public Task PutAsync(string name, string compactJwe, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string?> GetAsync(string name, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task DeleteAsync(string name, CancellationToken cancellationToken) => Task.CompletedTask;

        public IAsyncEnumerable<ClaimCheck> ListWrittenBeforeAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken) =>
            AsyncEnumerable.Empty<ClaimCheck>();
    }
}
