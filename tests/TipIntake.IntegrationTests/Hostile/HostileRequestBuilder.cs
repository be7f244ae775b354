using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>
/// Turns the corpus's body specs into bytes. A spec is a string (UTF-8 text), or an object: <c>{"text":…}</c>,
/// <c>{"base64":…}</c>, <c>{"hex":…}</c>, <c>{"repeat":"A","count":100000,"prefix":…,"suffix":…}</c>,
/// <c>{"concat":[spec,…]}</c>, or <c>{"jwe":{…}}</c> — a compact JWE built from a header (a spec, JSON text) and
/// random segments of given byte lengths, any segment replaceable by literal text, then optionally truncated.
/// Strings may hold placeholders (<c>{{kid}}</c>, <c>{{token:editor}}</c>, …) resolved from <see cref="Values"/>.
/// </summary>
public sealed class HostileRequestBuilder(IReadOnlyDictionary<string, string> values, Func<string>? freshTicket = null, Func<string>? freshStamp = null)
{
    public const string DefaultHeader =
        """{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{{kid}}","cty":"application/vnd.tipintake.tip.v1+json"}""";

    /// <summary>Bodies are bounded so that a mistaken spec cannot exhaust the test process.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    public IReadOnlyDictionary<string, string> Values => values;

    public string Fill(string text)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder();
        var at = 0;
        while (at < text.Length)
        {
            var start = text.IndexOf("{{", at, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf("}}", start, StringComparison.Ordinal);
            if (end < 0)
            {
                result.Append(text, at, text.Length - at);
                break;
            }

            var name = text[(start + 2)..end];
            result.Append(text, at, start - at);
            if (name.StartsWith("repeat:", StringComparison.Ordinal))
            {
                // {{repeat:unit:count}} keeps long values (64 KB query strings, 20 KB tokens) out of the corpus file.
                var colon = name.LastIndexOf(':');
                var count = int.Parse(name[(colon + 1)..], CultureInfo.InvariantCulture);
                result.Insert(result.Length, name["repeat:".Length..colon], count);
            }
            else if (name == "stamp" && freshStamp is not null)
            {
                // A stamp is good for one request: every use gets a freshly solved one, as a client makes it.
                result.Append(freshStamp());
            }
            else if (name == "ticket" && freshTicket is not null)
            {
                // A no-script page's ticket is good for one report: every use gets a fresh one, as every page served does.
                result.Append(freshTicket());
            }
            else
            {
                result.Append(values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"Unknown placeholder {{{{{name}}}}}."));
            }

            at = end + 2;
        }

        return result.ToString();
    }

    public byte[] Bytes(JsonElement? spec)
    {
        if (spec is not { } s)
        {
            return [];
        }

        var bytes = Build(s);
        return bytes.Length <= MaxBodyBytes ? bytes : throw new InvalidOperationException($"A body spec asks for {bytes.Length} bytes.");
    }

    private byte[] Build(JsonElement spec)
    {
        if (spec.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(Fill(spec.GetString()!));
        }

        if (spec.TryGetProperty("text", out var text))
        {
            return Build(text);
        }

        if (spec.TryGetProperty("base64", out var base64))
        {
            return Convert.FromBase64String(base64.GetString()!);
        }

        if (spec.TryGetProperty("hex", out var hex))
        {
            return Convert.FromHexString(hex.GetString()!);
        }

        if (spec.TryGetProperty("repeat", out var repeat))
        {
            var unit = Encoding.UTF8.GetBytes(Fill(repeat.GetString()!));
            var count = spec.GetProperty("count").GetInt32();
            if ((long)unit.Length * count > MaxBodyBytes)
            {
                throw new InvalidOperationException($"A repeat spec asks for {(long)unit.Length * count} bytes.");
            }

            var prefix = Optional(spec, "prefix");
            var suffix = Optional(spec, "suffix");
            var result = new byte[prefix.Length + (unit.Length * count) + suffix.Length];
            prefix.CopyTo(result, 0);
            for (var i = 0; i < count; i++)
            {
                unit.CopyTo(result, prefix.Length + (i * unit.Length));
            }

            suffix.CopyTo(result, result.Length - suffix.Length);
            return result;
        }

        if (spec.TryGetProperty("concat", out var parts))
        {
            return [.. parts.EnumerateArray().SelectMany(Build)];
        }

        if (spec.TryGetProperty("jwe", out var jwe))
        {
            return Encoding.UTF8.GetBytes(Jwe(jwe));
        }

        throw new InvalidOperationException($"Unknown body spec {spec}.");
    }

    private byte[] Optional(JsonElement spec, string name) => spec.TryGetProperty(name, out var part) ? Build(part) : [];

    /// <summary>
    /// A compact JWE: <c>header</c> (a spec, JSON; the valid header by default) or <c>headerSegment</c> (literal),
    /// <c>key</c>/<c>iv</c>/<c>ciphertext</c>/<c>tag</c> byte counts (384/12/64/16) or <c>…Segment</c> literals,
    /// <c>extraSegments</c> appended, then <c>truncate</c> (keep that many characters), <c>dropLast</c> (remove that
    /// many) and <c>append</c> (literal).
    /// </summary>
    private string Jwe(JsonElement spec)
    {
        string Segment(string name, int defaultLength)
        {
            if (spec.TryGetProperty(name + "Segment", out var literal))
            {
                return Fill(literal.GetString()!);
            }

            var length = spec.TryGetProperty(name, out var n) ? n.GetInt32() : defaultLength;
            return Base64Url(RandomNumberGenerator.GetBytes(length));
        }

        var header = spec.TryGetProperty("headerSegment", out var headerSegment)
            ? Fill(headerSegment.GetString()!)
            : Base64Url(spec.TryGetProperty("header", out var h) ? Build(h) : Encoding.UTF8.GetBytes(Fill(DefaultHeader)));
        var segments = new List<string> { header, Segment("key", 384), Segment("iv", 12), Segment("ciphertext", 64), Segment("tag", 16) };
        if (spec.TryGetProperty("extraSegments", out var extra))
        {
            segments.AddRange(extra.EnumerateArray().Select(e => Fill(e.GetString()!)));
        }

        var compact = string.Join('.', segments);
        if (spec.TryGetProperty("truncate", out var truncate))
        {
            compact = compact[..Math.Min(compact.Length, truncate.GetInt32())];
        }

        if (spec.TryGetProperty("dropLast", out var dropLast))
        {
            compact = compact[..Math.Max(0, compact.Length - dropLast.GetInt32())];
        }

        return spec.TryGetProperty("append", out var append) ? compact + Fill(append.GetString()!) : compact;
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
