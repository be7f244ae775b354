using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TipIntake.Core;
using TipIntake.Core.Staff;
using TipIntake.Infrastructure.Staff;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.Staff;

/// <summary>An environment by name (Development, Production, …) for the validator's one environment check.</summary>
internal sealed class TestEnvironment(string name) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;

    public string ApplicationName { get; set; } = "TipIntake.Tests";

    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}

/// <summary>A validator over a <see cref="FakeEntraId"/> as the real registration would build it.</summary>
internal sealed class ValidatorUnderTest : IDisposable
{
    public ValidatorUnderTest(
        string environment = "Production",
        bool configured = true,
        DevelopmentTokenIssuer? developmentIssuer = null,
        Action<StaffAuthOptions>? configure = null,
        TimeProvider? time = null)
    {
        var options = new StaffAuthOptions();
        if (configured)
        {
            options.TenantId = FakeEntraId.TenantId;
            options.ClientId = FakeEntraId.ClientId;
            options.Audience = FakeEntraId.ClientId;
            options.Scope = $"api://{FakeEntraId.ClientId}/{FakeEntraId.Scope}";
            options.Instance = FakeEntraId.Instance;
        }

        configure?.Invoke(options);
        Options = options;
        MetadataClient = new EntraIdMetadataClient(Entra);
        Validator = new EntraIdTokenValidator(
            Microsoft.Extensions.Options.Options.Create(options), new TestEnvironment(environment), MetadataClient, Logger, developmentIssuer?.Trust, time);
    }

    public FakeEntraId Entra { get; } = new();

    public StaffAuthOptions Options { get; }

    public EntraIdMetadataClient MetadataClient { get; }

    public CapturingLogger<EntraIdTokenValidator> Logger { get; } = new();

    public EntraIdTokenValidator Validator { get; }

    public Task<StaffAuthentication> AuthenticateAsync(string? token) => Validator.AuthenticateAsync(token, CancellationToken.None);

    public Task<StaffAuthentication> AuthenticateTokenAsync(string token) => AuthenticateAsync(token);

    public static DevelopmentTokenIssuer NewDevelopmentIssuer(StaffAuthOptions? options = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? new StaffAuthOptions()), TimeProvider.System, new CapturingLogger<DevelopmentTokenIssuer>());

    public void Dispose()
    {
        Validator.Dispose();
        MetadataClient.Dispose();
        Entra.Dispose();
    }
}

internal static class StaffAssert
{
    public static StaffMember Authenticated(StaffAuthentication result) =>
        Assert.IsType<StaffAuthentication.Authenticated>(result).Member;

    public static void Rejected(StaffRejectionReason reason, StaffAuthentication result) =>
        Assert.Equal(reason, Assert.IsType<StaffAuthentication.Rejected>(result).Reason);

    /// <summary>Rejected with the reason whose published code is <paramref name="code"/>.</summary>
    public static void Rejected(string code, StaffAuthentication result) =>
        Assert.Equal(code, Codes.Of(Assert.IsType<StaffAuthentication.Rejected>(result).Reason));
}
