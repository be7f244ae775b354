// Namespaces most files of this project use, imported once here (the rest stay with the files that use them).
global using System.Security.Cryptography;
global using System.Text;
global using System.Text.Json;
global using Azure;
global using Azure.Data.Tables;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
global using Microsoft.Extensions.Options;
global using TipIntake.Core.Intake;
global using TipIntake.Core.Triage;
global using TipIntake.Core.Triage.Index;
global using TipIntake.Infrastructure.Storage;
