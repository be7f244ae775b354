// Namespaces most files of this project use, imported once here (the rest stay with the files that use them).
global using System.Globalization;
global using System.Security.Cryptography;
global using System.Text;
global using System.Text.Json;
global using System.Text.Json.Serialization;
global using Microsoft.Extensions.Logging;
global using Microsoft.Extensions.Options;
