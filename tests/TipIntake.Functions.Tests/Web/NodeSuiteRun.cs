using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// One run of a Node.js suite (node:test, TAP) in a scratch directory holding the embedded modules it tests — the files
/// the site serves — and the suite's own <c>.mjs</c> files; each test's outcome by name.
/// </summary>
internal sealed partial class NodeSuiteRun
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private NodeSuiteRun(int exitCode, string output, string errors)
    {
        ExitCode = exitCode;
        Output = output;
        Errors = errors;
        foreach (Match line in TapResult().Matches(output))
        {
            Outcomes[line.Groups[2].Value.Replace(@"\#", "#", StringComparison.Ordinal)] = line.Groups[1].Value.Length == 0;
        }
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Errors { get; }

    public Dictionary<string, bool> Outcomes { get; } = new(StringComparer.Ordinal);

    /// <summary>The names of a suite's tests, read from its source, so that a new test shows up without a change here.</summary>
    public static TheoryData<string> TestNames(string suiteDirectory, string suiteFile)
    {
        var source = File.ReadAllText(Path.Combine(suiteDirectory, suiteFile));
        var data = new TheoryData<string>();
        foreach (Match match in TestDeclaration().Matches(source))
        {
            data.Add(match.Groups[1].Value);
        }

        return data;
    }

    /// <summary>Runs <paramref name="suiteFile"/> as a node:test suite, or with <paramref name="asScript"/> as a plain script (its output in <see cref="Output"/>).</summary>
    public static async Task<NodeSuiteRun> StartAsync(string suiteDirectory, string suiteFile, IReadOnlyList<string> modules, bool asScript = false)
    {
        var scratch = Directory.CreateTempSubdirectory("tipintake-node-");
        try
        {
            foreach (var module in modules)
            {
                File.WriteAllText(Path.Combine(scratch.FullName, Path.GetFileName(module)), WebResources.Read(module));
            }

            File.WriteAllText(Path.Combine(scratch.FullName, "package.json"), """{ "type": "module" }""");
            foreach (var file in Directory.EnumerateFiles(suiteDirectory, "*.mjs"))
            {
                File.Copy(file, Path.Combine(scratch.FullName, Path.GetFileName(file)));
            }

            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = scratch.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
            };
            if (!asScript)
            {
                start.ArgumentList.Add("--test");
                start.ArgumentList.Add("--test-reporter=tap");
            }

            start.ArgumentList.Add(suiteFile);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{suiteFile} did not finish within {Timeout}.");
            }

            return new NodeSuiteRun(process.ExitCode, await output, await errors);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Node.js is required for these tests: install it (CI does, in .ci/run).", ex);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The TAP block that follows the failed test's line: its assertion message and location.</summary>
    public string FailureDetail(string name)
    {
        var at = Output.IndexOf($"not ok ", StringComparison.Ordinal);
        while (at >= 0)
        {
            var lineEnd = Output.IndexOf('\n', at);
            if (Output[at..(lineEnd < 0 ? Output.Length : lineEnd)].EndsWith(" - " + name, StringComparison.Ordinal))
            {
                var next = TapResult().Match(Output, lineEnd < 0 ? Output.Length : lineEnd);
                return Output[at..(next.Success ? next.Index : Output.Length)];
            }

            at = Output.IndexOf("not ok ", at + 1, StringComparison.Ordinal);
        }

        return Output;
    }

    [GeneratedRegex(@"^(not )?ok \d+ - (.+)$", RegexOptions.Multiline)]
    private static partial Regex TapResult();

    [GeneratedRegex(@"^test\('((?:[^'\\]|\\.)+)'", RegexOptions.Multiline)]
    private static partial Regex TestDeclaration();
}
