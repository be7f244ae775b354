using System.Diagnostics;
using Microsoft.Playwright;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// One headless Chromium for the whole run: Debian's package at /usr/bin/chromium, driven by Playwright offline.
/// Installed with apt on first use when missing and running as root (as on CI); otherwise a clear failure.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";
    private static readonly Lazy<Task<IBrowser>> Instance = new(LaunchAsync);

    public static Task<IBrowser> BrowserAsync() => Instance.Value;

    private static async Task<IBrowser> LaunchAsync()
    {
        EnsureInstalled();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            browser.CloseAsync().GetAwaiter().GetResult();
            playwright.Dispose();
        };
        return browser;
    }

    private static void EnsureInstalled()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || Which("apt-get") is null)
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ExecutablePath}. Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium");
        }

        Run("apt-get", "update -qq");
        Run("apt-get", "install -y -qq chromium");
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {errors}");
        }
    }

    private static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}
