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
    private static readonly Lazy<Task<NodeSuiteRun>> Run = new(() => NodeSuiteRun.StartAsync(SuiteDirectory, SuiteFile, ["Web/assets/scrub.js"]));
    private static readonly string Module = WebResources.Read("Web/assets/scrub.js");

    public static TheoryData<string> SuiteTests() => NodeSuiteRun.TestNames(SuiteDirectory, SuiteFile);

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


    [GeneratedRegex(@"^\s*import\s", RegexOptions.Multiline)]
    private static partial Regex ImportStatement();
}
