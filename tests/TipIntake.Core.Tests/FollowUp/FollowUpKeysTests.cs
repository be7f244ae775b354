using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.FollowUp;

public class FollowUpKeysTests
{
    public static FollowUpSecrets VectorSecrets() =>
        new(Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(Enumerable.Repeat((byte)0x11, 32).ToArray()) }));

    [Fact]
    public void The_test_vector_derives_M_L_W_and_H()
    {
        var master = new byte[32];
        var lookup = new byte[32];
        var sealing = new byte[32];
        FollowUpKeys.DeriveMaster(FollowUpCodeTests.VectorValue, master);
        FollowUpKeys.DeriveLookup(master, lookup);
        FollowUpKeys.DeriveSealingKey(master, sealing);

        Assert.Equal("c78d7b1ac76d2f0643f9a7614854168907af5dbf2d0cccdab98a93f6f74500de", Convert.ToHexStringLower(master));
        Assert.Equal("ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM", JoseBase64.Encode(lookup));
        Assert.Equal("267e969c6f93213b19f637c6f50a9f304c7926b7aeed0a60f7362c399a01682f", Convert.ToHexStringLower(sealing));
        Assert.Equal("uz1Us_c4J51xCqqEUQgUs2MeHmXp00wV8AG4RLhS-B0", VectorSecrets().LookupHashOf(lookup));
    }

    [Fact]
    public void A_thread_ref_is_22_characters_stable_and_not_the_tip_id()
    {
        var secrets = VectorSecrets();
        var tipId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var threadRef = secrets.ThreadRefOf(tipId);
        Assert.Equal(FollowUpSecrets.RefLength, threadRef.Length);
        Assert.Equal(threadRef, secrets.ThreadRefOf(tipId));
        Assert.NotEqual(threadRef, secrets.ThreadRefOf(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
        Assert.DoesNotContain(tipId[..8], threadRef, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_wrong_codes_decoy_has_the_real_lengths_and_is_stable_per_lookup_hash()
    {
        var secrets = VectorSecrets();
        var hash = secrets.LookupHashOf(RandomNumberGenerator.GetBytes(32));
        var decoy = secrets.DecoyOf(hash);

        Assert.Equal(FollowUpSecrets.RefLength, decoy.Ref.Length);
        Assert.Equal(FollowUpSecrets.SealedKeyLength, decoy.SealedKey.Length);
        Assert.True(JoseBase64.TryDecode(decoy.SealedKey, out var sealedKey));
        Assert.Equal(FollowUpSecrets.SealedKeyBytes, sealedKey.Length);
        Assert.Equal(32, decoy.TipId.Length);
        Assert.Equal(decoy, secrets.DecoyOf(hash));
        Assert.NotEqual(decoy.SealedKey, secrets.DecoyOf(secrets.LookupHashOf(RandomNumberGenerator.GetBytes(32))).SealedKey);

        // Another pepper, another decoy: it cannot be computed without the secret.
        var other = new FollowUpSecrets(Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        Assert.NotEqual(decoy.Ref, other.DecoyOf(hash).Ref);
    }
}
