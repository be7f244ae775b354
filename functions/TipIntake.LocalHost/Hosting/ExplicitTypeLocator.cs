using Microsoft.Azure.WebJobs;

namespace TipIntake.LocalHost.Hosting;

/// <summary>Tells WebJobs exactly which class holds its functions instead of letting it scan every loaded assembly.</summary>
internal sealed class ExplicitTypeLocator(params Type[] types) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => types;
}
