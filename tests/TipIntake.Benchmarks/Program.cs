using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TipIntake.Benchmarks.Load;
using TipIntake.Benchmarks.Micro;

// dotnet run -c Release --project tests/TipIntake.Benchmarks -- micro | load [--soak] [--duration 15] … | load --uploads [--megabytes 32] [--parallel 2,8] [--rounds 3] [--out file] | load --flood [--workers 16] … | load --triage  (docs/benchmarks.md)
var mode = args.FirstOrDefault() ?? "";
var rest = args.Skip(1).ToArray();
return mode switch
{
    "micro" => RunMicro(rest),
    "load" when rest.Contains("--uploads") => await TipIntake.Benchmarks.Uploads.UploadRun.RunAsync(rest),
    "load" when rest.Contains("--flood") => await TipIntake.Benchmarks.Flood.FloodRun.RunAsync(rest),
    "load" => await LoadRun.RunAsync(rest),
    "azurite-tables" => await TipIntake.Benchmarks.Triage.AzuriteTableScaling.RunAsync(rest),
    "serve-intake" => await Servers.ServeIntakeAsync(rest),
    "serve-floor" => await Servers.ServeFloorAsync(rest),
    "serve-drain-floor" => await Servers.ServeDrainFloorAsync(rest),
    "serve-drain-core" => await Servers.ServeDrainCoreAsync(rest),
    _ => Usage(),
};

static int RunMicro(string[] args)
{
    // ShortRun (3 warm-ups, 3 iterations) keeps a full run to a few minutes; pass BenchmarkDotNet's own arguments
    // (e.g. --filter) after `micro`. In-process: the generated-project toolchain would build under this repository's warnings-as-errors rules.
    var config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
    var summary = BenchmarkRunner.Run<MicroBenchmarks>(config, args);
    return summary.HasCriticalValidationErrors ? 1 : 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: TipIntake.Benchmarks micro [BenchmarkDotNet args] | load [--duration s] [--connections 16,64] [--drain 500,2000] [--warm-up s] [--max-requests n] [--drain-only] [--drain-rounds 3] [--drain-warm-up 300] [--drain-same-bodies] [--host-args 'a;b'] [--soak | --soak-only] [--soak-minutes m] [--soak-after s] [--soak-hold s] [--out file] | load --uploads [--megabytes 32] [--parallel 2,8] [--rounds 3] [--out file] | load --flood [--workers 16] [--duration 120] [--interval 3] [--form-interval 15] [--deadline 30] [--scenarios none,script,form] [--no-oversized] [--host-args 'a;b'] [--out file] | load --triage [--sizes 2000,10000,50000] [--samples 60] [--lock file] [--out file] | azurite-tables [sizes]");
    return 2;
}
