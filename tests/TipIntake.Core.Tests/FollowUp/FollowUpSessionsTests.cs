using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.FollowUp;

public class FollowUpSessionsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly byte[] _lookup = RandomNumberGenerator.GetBytes(32);
    private readonly string _ref = JoseBase64.Encode(RandomNumberGenerator.GetBytes(16));

    private FollowUpSessions Sessions(FollowUpSecrets? secrets = null) =>
        new(secrets ?? FollowUpKeysTests.VectorSecrets(), Options.Create(new FollowUpOptions()), _time);

    [Fact]
    public void A_session_gives_back_its_lookup_token_and_ref_until_it_expires()
    {
        var sessions = Sessions();
        var session = sessions.Seal(_lookup, _ref);

        Assert.Equal(FollowUpSessions.Length, session.Length);
        Assert.DoesNotContain(JoseBase64.Encode(_lookup), session, StringComparison.Ordinal);
        Assert.DoesNotContain(_ref, session, StringComparison.Ordinal);
        var opened = sessions.Open(session)!;
        Assert.Equal(_lookup, opened.Lookup);
        Assert.Equal(_ref, opened.Ref);

        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.NotNull(sessions.Open(session));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Open(session));
    }

    [Fact]
    public void Two_sessions_of_one_thread_differ()
    {
        var sessions = Sessions();
        Assert.NotEqual(sessions.Seal(_lookup, _ref), sessions.Seal(_lookup, _ref));
    }

    [Fact]
    public void An_altered_forged_malformed_or_foreign_session_opens_as_nothing()
    {
        var sessions = Sessions();
        var session = sessions.Seal(_lookup, _ref);
        var bytes = JoseBase64.DecodeCanonical(session, 84)!;
        bytes[40] ^= 1;
        var foreign = new FollowUpSecrets(Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));

        Assert.Null(sessions.Open(JoseBase64.Encode(bytes)));
        Assert.Null(sessions.Open(JoseBase64.Encode(RandomNumberGenerator.GetBytes(84))));
        Assert.Null(sessions.Open(Sessions(foreign).Seal(_lookup, _ref)));
        Assert.Null(sessions.Open(session[..^1]));
        Assert.Null(sessions.Open(session + "A"));
        Assert.Null(sessions.Open(session.Replace(session[5], session[5] == '+' ? '/' : '+')));
        Assert.Null(sessions.Open(""));
        Assert.Null(sessions.Open(null));
        Assert.Null(sessions.Open(new string('!', FollowUpSessions.Length)));
    }
}
