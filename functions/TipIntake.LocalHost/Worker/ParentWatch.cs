namespace TipIntake.LocalHost.Worker;

/// <summary>
/// Makes the worker exit when the local host that started it is gone, however it ended: its stdin is a pipe from the
/// local host, which the OS closes when that process ends (a killed test host runs no Dispose). The same idea keeps
/// Azurite from outliving its host (Azurite/AzuriteProcess.cs). Loaded into the worker as a .NET startup hook
/// (DOTNET_STARTUP_HOOKS), so the Functions app itself knows nothing of it.
/// </summary>
internal static class ParentWatch
{
    public static string HookAssemblyPath => typeof(ParentWatch).Assembly.Location;

    public static void Start()
    {
        var thread = new Thread(WaitForParent) { IsBackground = true, Name = "TipIntake local host watch" };
        thread.Start();
    }

    private static void WaitForParent()
    {
        try
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[64];
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
                // Nothing is ever written; only the end of the stream matters.
            }
        }
        catch (IOException)
        {
            // A broken pipe is the same news.
        }

        Process.GetCurrentProcess().Kill();
    }
}
