try
{
    await using var host = await TipIntake.LocalHost.LocalHost.StartAsync(args);
    Console.WriteLine($"TipIntake is running: the reporter form is at {host.BaseAddress} (API: {host.BaseAddress}api/intake-key, {host.BaseAddress}api/tips). Press Ctrl+C to stop.");
    await host.WaitForShutdownAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("TipIntake cannot start:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", ex.Failures));
    return 2;
}
catch (AggregateException ex) when (ex.InnerExceptions.All(inner => inner is OptionsValidationException))
{
    var failures = ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures);
    await Console.Error.WriteLineAsync("TipIntake cannot start:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", failures));
    return 2;
}
