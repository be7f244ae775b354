/// <summary>The .NET startup hook entry point (it must be this name, in no namespace): see <see cref="TipIntake.LocalHost.Worker.ParentWatch"/>.</summary>
#pragma warning disable CA1050 // The runtime looks for a type named StartupHook in the global namespace.
internal static class StartupHook
#pragma warning restore CA1050
{
    public static void Initialize() => TipIntake.LocalHost.Worker.ParentWatch.Start();
}
