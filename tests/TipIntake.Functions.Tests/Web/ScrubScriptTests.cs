using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// Runs the image scrubber's own test suite (<c>Web/Scrub/scrub.test.mjs</c>, Node.js's built-in test runner) against
/// the <c>scrub.js</c> embedded in the Functions app — the file the site serves — and reports each of its tests here
/// by name, so that a failure names the behaviour that broke. Needs <c>node</c> (20 or later) on the PATH, as the
/// repository's other tools do. Also checks statically that the module stays a pure function of its input.
/// </summary>
public sealed partial class ScrubScriptTests
{
    private const string SuiteFile = "scrub.test.mjs";
    private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "Web", "Scrub");
    private static readonly Lazy<Task<NodeSuiteRun>> Run = new(() => NodeSuiteRun.StartAsync(SuiteDirectory, SuiteFile));
    private static readonly string Module = WebResources.Read("Web/assets/scrub.js");

    /// <summary>The names of the suite's tests, read from its source, so a new test shows up here without a change.</summary>
    public static TheoryData<string> SuiteTests()
    {
        var source = File.ReadAllText(Path.Combine(SuiteDirectory, SuiteFile));
        var data = new TheoryData<string>();
        foreach (Match match in TestDeclaration().Matches(source))
        {
            data.Add(match.Groups[1].Value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SuiteTests))]
    public async Task Scrubber_test_passes_under_node(string name)
    {
        var run = await Run.Value;
        Assert.True(run.Outcomes.TryGetValue(name, out var passed), $"node did not report '{name}'.\n{run.Output}");
        Assert.True(passed, $"'{name}' failed under node:\n{run.FailureDetail(name)}");
    }

    [Fact]
    public async Task The_whole_suite_ran_and_node_exited_cleanly()
    {
        var run = await Run.Value;
        Assert.True(run.ExitCode == 0, $"node exited with {run.ExitCode}.\n{run.Output}\n{run.Errors}");
        Assert.Equal(SuiteTests().Count, run.Outcomes.Count);
        Assert.True(SuiteTests().Count >= 25, "the suite lost tests");
    }

    [Theory]
    [InlineData("fetch(")]
    [InlineData("XMLHttpRequest")]
    [InlineData("WebSocket")]
    [InlineData("sendBeacon")]
    [InlineData("importScripts")]
    [InlineData("import(")]
    [InlineData("eval(")]
    [InlineData("new Function")]
    [InlineData("WebAssembly")]
    [InlineData("localStorage")]
    [InlineData("sessionStorage")]
    [InlineData("indexedDB")]
    [InlineData("caches.")]
    [InlineData("console.")]
    [InlineData("document.")]
    [InlineData("window.")]
    [InlineData("setTimeout")]
    public void The_scrubber_is_a_pure_function_of_its_input(string forbidden) =>
        Assert.DoesNotContain(forbidden, Module, StringComparison.Ordinal);

    [Fact]
    public void The_scrubber_is_a_module_that_imports_nothing()
    {
        Assert.Contains("export function scrubImage(", Module, StringComparison.Ordinal);
        Assert.DoesNotMatch(ImportStatement(), Module);
    }

    [GeneratedRegex(@"^test\('((?:[^'\\]|\\.)+)'", RegexOptions.Multiline)]
    private static partial Regex TestDeclaration();

    [GeneratedRegex(@"^\s*import\s", RegexOptions.Multiline)]
    private static partial Regex ImportStatement();

    /// <summary>One run of the suite in a scratch directory holding the embedded module and the suite's files.</summary>
    private sealed partial class NodeSuiteRun
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

        public static async Task<NodeSuiteRun> StartAsync(string suiteDirectory, string suiteFile)
        {
            var scratch = Directory.CreateTempSubdirectory("tipintake-scrub-");
            try
            {
                File.WriteAllText(Path.Combine(scratch.FullName, "scrub.js"), WebResources.Read("Web/assets/scrub.js"));
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
                start.ArgumentList.Add("--test");
                start.ArgumentList.Add("--test-reporter=tap");
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
                    throw new TimeoutException($"The scrubber's suite did not finish within {Timeout}.");
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
    }
}
