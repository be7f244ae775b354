using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using TipIntake.Infrastructure;

// The Functions app's one composition root (the local host is another process with its own).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Outermost first: every HTTP answer gets its function's security headers, then staff-only functions their gate.
builder.UseMiddleware<SecurityHeaders>();
builder.UseWhen<StaffOnlyMiddleware>(StaffOnlyMiddleware.Guards);

builder.Services.AddTipIntake(builder.Configuration, builder.Environment);
builder.Services.AddSingleton<Translations>();
builder.Services.AddSingleton<Pages>();
builder.Services.AddSingleton<WebAssets>();
await builder.Build().RunAsync();
