using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;
using TipIntake.Core.Tests.Jwe;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.Processing;

/// <summary>A <see cref="TipProcessor"/> on in-memory ports, and ways to make the messages it reads.</summary>
internal sealed class ProcessorHarness
{
    public static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 34, 56, TimeSpan.Zero);
    public static readonly DateTimeOffset ReceivedHour = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Distinctive text that must never reach a log, a quarantine detail or anything but the tip store.</summary>
    public const string Narrative = "Narrative-7f3a: three people were taken from the Hoeryong market at dawn.";

    public const string Contact = "Contact-91c2: ask for the gardener on Signal";

    public static readonly string ValidTipJson =
        $$"""{"category":"detention","narrative":"{{Narrative}}","urgency":"soon","location":{"country":"kp","region":"North Hamgyong"},"observed":{"from":"2025-06-01"},"peopleCount":3,"language":"en","contact":"{{Contact}}","padding":"xxxxxxxx"}""";

    public static readonly Tip ValidTip = new(
        TipCategories.Detention,
        Narrative,
        TipUrgencies.Soon,
        new TipLocation("KP", "North Hamgyong", null),
        new DateOnly(2025, 6, 1),
        null,
        3,
        "en",
        Contact);

    /// <summary>The route configured for <see cref="ValidTip"/>: not one of the default rules, so the router's choice shows.</summary>
    public static readonly RouteDecision ValidTipRoute = new("team-d", 2);

    private int _messageCount;

    public ProcessorHarness(Core.Attachments.AttachmentBinder? attachments = null)
    {
        var routing = new RoutingOptions();
        routing.Rules.Add(new RoutingRule { Category = TipCategories.Detention, Urgency = TipUrgencies.Soon, Queue = "team-d", Priority = 2 });
        routing.Rules.Add(new RoutingRule { Urgency = TipUrgencies.Imminent, Queue = "urgent", Priority = 1 });
        Processor = new TipProcessor(
            Key, Store, Quarantine, ClaimChecks, new TipRouter(Options.Create(routing)), new FixedTimeProvider(Now), Logger,
            attachments: attachments);
    }

    public FakeIntakeKey Key { get; } = new();

    public FakeTipStore Store { get; } = new();

    public FakeQuarantine Quarantine { get; } = new();

    public FakeClaimCheckStore ClaimChecks { get; } = new();

    public CapturingLogger<TipProcessor> Logger { get; } = new();

    public TipProcessor Processor { get; }

    /// <summary>A receipt hash as the intake service makes them: HMAC-SHA-256 in unpadded base64url.</summary>
    public string ReceiptHash { get; } = JoseBase64.Encode(RandomNumberGenerator.GetBytes(32));

    public JweFactory.Built BuildJwe(string? tipJson = null) =>
        BuildJwe(Encoding.UTF8.GetBytes(tipJson ?? ValidTipJson));

    public JweFactory.Built BuildJwe(byte[] plaintext, byte[]? wrappedContentKey = null) =>
        JweFactory.Build(JweFactory.HeaderJsonFor(Key.KeyId), plaintext, Key.Rsa, wrappedContentKey);

    public TipEnvelope EnvelopeFor(string compactJwe, string? tipId = null) =>
        new(TipEnvelope.CurrentVersion, tipId ?? TipIntakeService.NewTipId(), ReceivedHour, ReceiptHash, compactJwe);

    /// <summary>An envelope naming its JWE, as intake writes one too large for a queue message; the JWE is put in the store.</summary>
    public TipEnvelope ClaimCheckedEnvelopeFor(string compactJwe)
    {
        var tipId = TipIntakeService.NewTipId();
        ClaimChecks.PutAsync(tipId, compactJwe, CancellationToken.None).GetAwaiter().GetResult();
        return new(TipEnvelope.CurrentVersion, tipId, ReceivedHour, ReceiptHash, Jwe: null, JweRef: tipId);
    }

    public InboundMessage MessageOf(TipEnvelope envelope, long dequeueCount = 1) =>
        MessageOf(JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TipEnvelope), dequeueCount);

    public InboundMessage MessageOf(byte[] body, long dequeueCount = 1) =>
        new($"message-{++_messageCount}", body, dequeueCount);

    /// <summary>A message carrying a valid tip encrypted to the intake key.</summary>
    public (InboundMessage Message, TipEnvelope Envelope) ValidMessage(long dequeueCount = 1)
    {
        var envelope = EnvelopeFor(BuildJwe().Compact);
        return (MessageOf(envelope, dequeueCount), envelope);
    }

    public Task<ProcessingOutcome> ProcessAsync(InboundMessage message) => Processor.ProcessAsync(message, CancellationToken.None);

    public Task<ProcessingOutcome> QuarantinePoisonAsync(InboundMessage message) =>
        Processor.QuarantinePoisonAsync(message, CancellationToken.None);

    /// <summary>The compact JWE with one bit flipped in byte <paramref name="byteIndex"/> of segment <paramref name="segment"/>.</summary>
    public static string FlipBit(string compact, int segment, int byteIndex)
    {
        var segments = compact.Split('.');
        Assert.True(JoseBase64.TryDecode(segments[segment], out var bytes));
        bytes[byteIndex] ^= 0x01;
        segments[segment] = JoseBase64.Encode(bytes);
        return string.Join('.', segments);
    }
}
