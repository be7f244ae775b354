using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using TipIntake.Functions;
using TipIntake.Functions.Http;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Outermost first: every HTTP answer gets its function's security headers, then staff-only functions their gate.
builder.UseMiddleware<SecurityHeaders>();
builder.UseWhen<StaffOnlyMiddleware>(StaffOnlyMiddleware.Guards);
builder.Services.AddTipIntakeApp(builder.Configuration, builder.Environment);
await builder.Build().RunAsync();
