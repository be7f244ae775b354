using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TipIntake.Core.Intake;
using TipIntake.Functions.Triggers;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infra.Tests;

/// <summary>
/// The alerts of infra/modules/alerts.bicep: one for every trouble the issue lists, each built on a log event the app
/// really emits (the [LoggerMessage] method's name is what reaches Application Insights as Properties.EventName) at a
/// level host.json lets through, and the staff alert for imminent tips says nothing but the queue.
/// </summary>
[Collection(CompiledTemplateGroup.Name)]
public sealed partial class AlertTests(CompiledTemplate template)
{
    private Deployment Alerts => template.Single("Microsoft.Insights/scheduledQueryRules").Deployment;

    private JsonArray LogRules => Alerts.Template.At("variables.logRules")!.AsArray();

    private JsonNode Rule(string name) => LogRules.Single(rule => rule!["name"].Str() == name)!;

    [Theory]
    [InlineData("imminent-tip-waiting", "ImminentTipWaiting")]
    [InlineData("quarantine-growing", "Quarantined")]
    [InlineData("poison-queue-failing", "Name in (\"QuarantinePoison\", \"QuarantineBulkPoison\") and Success == false")]
    [InlineData("function-failures", "Success == false")]
    [InlineData("intake-unavailable", "IntakeUnavailable")]
    [InlineData("key-vault-errors-seen-by-the-app", "UnwrapFailed")]
    [InlineData("intake-key-expiring", "IntakeKeyExpiresSoon")]
    [InlineData("scheduled-job-silent", "LogRetentionReport")]
    [InlineData("scheduled-job-silent", "TableBackupCompleted")]
    [InlineData("log-analytics-daily-cap", "OverQuota")]
    [InlineData("uploads-at-limit", "UploadsAtLimit")]
    public void There_is_an_alert_for_each_trouble(string rule, string queryPart)
    {
        Assert.Contains(queryPart, Rule(rule)["query"].Str(), StringComparison.Ordinal);
        Assert.All(LogRules, r => Assert.Contains(r!["severity"].Long(), (long?[])[0, 1, 2, 3, 4]));
    }

    [Fact]
    public void Key_Vault_throttling_and_errors_are_metric_alerts_that_leave_the_challenge_401_out()
    {
        var rules = Alerts.Template.At("variables.keyVaultMetricRules")!.AsArray().ToDictionary(r => r!["name"].Str()!, r => Strings(r!["statusCodes"]));
        var alert = template.Single("Microsoft.Insights/metricAlerts");

        Assert.Equal(["429"], rules["key-vault-throttled"]);
        Assert.Equal(["403", "500", "502", "503", "504"], rules["key-vault-errors"]);
        Assert.DoesNotContain(rules.Values.SelectMany(codes => codes), code => code == "401");
        var criterion = alert["properties.criteria.allOf"]!.AsArray().Single()!;
        Assert.Equal("ServiceApiResult", criterion["metricName"].Str());
        Assert.Equal("Microsoft.KeyVault/vaults", criterion["metricNamespace"].Str());
        Assert.Equal("StatusCode", criterion["dimensions"]!.AsArray().Single()!["name"].Str());
        Assert.Equal("[parameters('keyVaultId')]", alert["properties.scopes"]!.AsArray().Single().Str());
    }

    [Fact]
    public void Every_event_an_alert_matches_is_a_LoggerMessage_of_the_app_with_the_id_the_rule_names()
    {
        var code = LoggerMessages();
        var described = new List<(string Name, int Id, string[] Functions)>();
        foreach (var rule in LogRules)
        {
            var queried = EventNames(rule!["query"].Str()!).ToHashSet(StringComparer.Ordinal);
            var named = DescribedEvent().Matches(rule["description"].Str()!)
                .Select(m => (Name: m.Groups["name"].Value, Id: int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture), Functions: m.Groups["functions"].Value.Split('/')))
                .ToList();
            Assert.Equal(queried.Order(StringComparer.Ordinal), named.Select(e => e.Name).Order(StringComparer.Ordinal));
            described.AddRange(named);
        }

        Assert.Contains(described, e => e.Name == "ImminentTipWaiting");
        foreach (var (name, id, _) in described)
        {
            Assert.True(code.TryGetValue(name, out var message), $"No [LoggerMessage] named {name} in the app: the alert would never fire");
            Assert.Equal(id, message.EventId);
        }
    }

    [Fact]
    public void Events_that_alerts_match_pass_host_json_for_every_function_that_logs_them()
    {
        var code = LoggerMessages();
        var levels = JsonNode.Parse(File.ReadAllText(Repository.Path("host.json")))!.At("logging.logLevel")!.AsObject()
            .ToDictionary(p => p.Key, p => Enum.Parse<LogLevel>(p.Value.Str()!), StringComparer.Ordinal);
        foreach (var rule in LogRules)
        {
            foreach (Match match in DescribedEvent().Matches(rule!["description"].Str()!))
            {
                var level = code[match.Groups["name"].Value].Level;
                foreach (var function in match.Groups["functions"].Value.Split('/'))
                {
                    var category = $"Function.{function}.User";
                    var allowed = EffectiveLevel(levels, category);
                    Assert.True(level >= allowed, $"{match.Groups["name"].Value} ({level}) from {function}: host.json lets {category} through from {allowed} only");
                }
            }
        }
    }

    [Fact]
    public void The_imminent_tip_alert_names_the_queue_only_and_speaks_at_most_once_per_queue_per_N_minutes()
    {
        var rule = Rule("imminent-tip-waiting");
        var message = LoggerMessages()["ImminentTipWaiting"].Message;
        var extract = Extract().Match(rule["query"].Str()!).Groups["regex"].Value;

        // What the processor logs is only the queue, and the rule's pattern gets it back from the formatted line.
        Assert.Equal("Imminent tip waiting in triage queue {TriageQueue}", message);
        Assert.Equal("urgent", Regex.Match(message.Replace("{TriageQueue}", "urgent", StringComparison.Ordinal), extract).Groups[1].Value);
        Assert.Equal("team-7", Regex.Match(message.Replace("{TriageQueue}", "team-7", StringComparison.Ordinal), extract).Groups[1].Value);
        Assert.EndsWith("| project TimeGenerated, TriageQueue", rule["query"].Str(), StringComparison.Ordinal);
        Assert.Equal("TriageQueue", rule["dimension"].Str());
        Assert.True(rule["staff"].Bool());
        Assert.Equal("[format('PT{0}M', parameters('imminentTipAlertMuteMinutes'))]", rule["mute"].Str());
        Assert.Equal(30, Alerts.Template.At("parameters.imminentTipAlertMuteMinutes.defaultValue").Long());
        Assert.Equal("PT5M", rule["frequency"].Str());

        // Stateless (it speaks again for tips arriving later) and muted per rule value for the N minutes.
        var resource = template.Single("Microsoft.Insights/scheduledQueryRules");
        Assert.Equal("[empty(variables('logRules')[copyIndex()].mute)]", resource["properties.autoMitigate"].Str());
        Assert.StartsWith("[if(empty(variables('logRules')[copyIndex()].mute), null(), variables('logRules')[copyIndex()].mute)]", resource["properties.muteActionsDuration"].Str(), StringComparison.Ordinal);
        Assert.Equal("[if(variables('logRules')[copyIndex()].staff, variables('staffActions'), variables('opsActions'))]", resource["properties.actions.actionGroups"].Str());
        Assert.Single(LogRules, r => r!["staff"].Bool() == true);
    }

    [Fact]
    public void The_quarantine_alert_splits_by_the_reason_code_read_from_the_line()
    {
        var rule = Rule("quarantine-growing");
        var message = LoggerMessages()["Quarantined"].Message;
        var extract = Extract().Match(rule["query"].Str()!).Groups["regex"].Value;

        var line = message.Replace("{QuarantineId}", "0123456789abcdef0123456789abcdef", StringComparison.Ordinal).Replace("{Reason}", "key-unavailable", StringComparison.Ordinal);
        Assert.Equal("key-unavailable", Regex.Match(line, extract).Groups[1].Value);
    }

    [Fact]
    public void Uploads_refused_at_the_open_upload_limit_raise_a_stateful_operations_alert()
    {
        var rule = Rule("uploads-at-limit");
        var message = LoggerMessages()["UploadsAtLimit"];

        Assert.Equal((9020, LogLevel.Warning), (message.EventId, message.Level));
        Assert.Equal("AppTraces | where tostring(Properties.EventName) == \"UploadsAtLimit\" | project TimeGenerated", rule["query"].Str());
        Assert.Equal((2L, false, "", 1L), (rule["severity"].Long(), rule["staff"].Bool(), rule["dimension"].Str(), rule["threshold"].Long()));

        // Stateful (no mute): it fires once, stays while refusals go on, and resolves after a window without any. Each
        // instance repeats the line at most once a minute while it refuses, so a window of many minutes sees a sustained
        // refusal in every evaluation and does not flap.
        Assert.Equal("", rule["mute"].Str());
        Assert.Contains("at most once a minute", message.Message, StringComparison.Ordinal);
        Assert.Equal(("PT15M", "PT15M"), (rule["frequency"].Str(), rule["window"].Str()));

        // The description names the operator's setting by the azd variable that really feeds Attachments__MaxOpenUploads.
        var variable = SettingsTests.VariableOf(SettingsTests.OperatorSettings(template)["Attachments__MaxOpenUploads"]);
        Assert.Equal("ATTACHMENTS_MAX_OPEN_UPLOADS", variable);
        Assert.Contains(variable, rule["description"].Str(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_function_an_alert_names_is_a_function_of_the_app()
    {
        var functions = typeof(PurgeExpired).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("UploadCreate", functions);
        foreach (var rule in LogRules)
        {
            foreach (Match match in DescribedEvent().Matches(rule!["description"].Str()!))
            {
                Assert.All(match.Groups["functions"].Value.Split('/'), function => Assert.True(
                    functions.Contains(function), $"{rule["name"].Str()} names {function}, which is no function of the app: host.json's level for it would be checked in vain"));
            }
        }
    }

    [Fact]
    public void The_alerts_table_of_docs_deploy_names_every_event_a_rule_matches()
    {
        var deploy = File.ReadAllText(Repository.Path("docs", "deploy.md"));
        var section = deploy[deploy.IndexOf("## Alerts", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var rows = section.Split('\n').Where(line => line.StartsWith('|')).ToList();

        Assert.Contains(rows, row => row.Contains("9020", StringComparison.Ordinal) && row.Contains("`UploadsAtLimit`", StringComparison.Ordinal));
        foreach (var rule in LogRules)
        {
            foreach (Match match in DescribedEvent().Matches(rule!["description"].Str()!))
            {
                var id = match.Groups["id"].Value;
                Assert.True(rows.Any(row => Regex.IsMatch(row, $@"\bevents? [\d, ]*\b{id}\b")), $"docs/deploy.md's Alerts table does not name event {id} ({rule["name"].Str()})");
            }
        }
    }

    [Fact]
    public void Action_groups_exist_only_for_addresses_given_and_an_empty_list_leaves_every_rule_without_action()
    {
        var groups = template.OfType("Microsoft.Insights/actionGroups").ToDictionary(g => g["properties.groupShortName"].Str()!, StringComparer.Ordinal);

        Assert.Equal("[not(empty(parameters('alertEmails')))]", groups["tipops"]["condition"].Str());
        Assert.Equal("[not(empty(parameters('imminentTipAlertEmails')))]", groups["tipstaff"]["condition"].Str());
        Assert.All(groups.Values, group => Assert.True(group["properties.groupShortName"].Str()!.Length <= 12));
        Assert.Equal("[if(empty(parameters('alertEmails')), createArray(), createArray(resourceId('Microsoft.Insights/actionGroups', format('ag-ops-{0}', parameters('namePrefix')))))]",
            Alerts.Template.At("variables.opsActions").Str());
        foreach (var name in (string[])["alertEmails", "imminentTipAlertEmails"])
        {
            Assert.Equal("array", template.Root.At($"parameters.{name}.type").Str());
            Assert.Empty(template.Root.At($"parameters.{name}.defaultValue")!.AsArray());
        }
    }

    [Fact]
    public void The_retention_backup_and_key_check_timers_exist_under_the_names_the_silence_alert_expects()
    {
        var query = Rule("scheduled-job-silent")["query"].Str()!;

        Assert.Contains("\"LogRetentionReport\", \"TableBackupCompleted\", \"IntakeKeyChecked\"", query, StringComparison.Ordinal);
        Assert.Contains("ago(26h)", query, StringComparison.Ordinal);
        // Daily schedules, each well inside the 26 hours.
        foreach (var schedule in (string[])[PurgeExpired.Schedule, DailyJobs.BackupSchedule, DailyJobs.KeyCheckSchedule])
        {
            Assert.Matches(@"^0 \d{1,2} \d{1,2} \* \* \*$", schedule);
        }

        Assert.Equal("P2D", Rule("scheduled-job-silent")["window"].Str());
    }

    [Fact]
    public void Log_rules_query_the_workspace_behind_Application_Insights()
    {
        var resource = template.Single("Microsoft.Insights/scheduledQueryRules");
        var alerts = template.OfType("Microsoft.Resources/deployments").Single(d => d.Node["name"].Str() == "alerts");

        Assert.Equal("LogAlert", resource["kind"].Str());
        Assert.True(resource["properties.skipQueryValidation"].Bool());
        // Every rule's rows carry a time, which the alert's aggregation bins on.
        Assert.All(LogRules, rule => Assert.Matches(@"(project TimeGenerated|extend TimeGenerated = now\(\))", rule!["query"].Str()));
        Assert.Equal("[parameters('logAnalyticsId')]", resource["properties.scopes"]!.AsArray().Single().Str());
        Assert.Contains("'monitoring'", alerts["properties.parameters.logAnalyticsId.value"].Str(), StringComparison.Ordinal);
        Assert.All(LogRules, rule => Assert.Matches(@"^(AppTraces|AppRequests|_LogOperation|let )", rule!["query"].Str()));
    }

    /// <summary>Every [LoggerMessage] of the app by event name (the method's name unless the attribute names one).</summary>
    private static Dictionary<string, LoggerMessageAttribute> LoggerMessages()
    {
        var messages = new Dictionary<string, LoggerMessageAttribute>(StringComparer.Ordinal);
        foreach (var assembly in (Assembly[])[typeof(TipIntakeService).Assembly, typeof(StorageNames).Assembly, typeof(PurgeExpired).Assembly])
        {
            foreach (var method in assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)))
            {
                if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                {
                    Assert.True(messages.TryAdd(attribute.EventName ?? method.Name, attribute), $"Two [LoggerMessage] events are named {method.Name}");
                }
            }
        }

        Assert.True(messages.Count > 30);
        return messages;
    }

    private static IEnumerable<string> EventNames(string query) =>
        EventNameClause().Matches(query).SelectMany(match => QuotedName().Matches(match.Groups["names"].Value).Select(m => m.Groups[1].Value))
            .Concat(DataTable().Match(query) is { Success: true } table ? QuotedName().Matches(table.Groups["names"].Value).Select(m => m.Groups[1].Value) : []);

    /// <summary>The level host.json applies to a category: its longest matching prefix, else "default".</summary>
    private static LogLevel EffectiveLevel(Dictionary<string, LogLevel> levels, string category) =>
        levels.Where(p => category == p.Key || category.StartsWith(p.Key + ".", StringComparison.Ordinal))
            .OrderByDescending(p => p.Key.Length).Select(p => (LogLevel?)p.Value).FirstOrDefault() ?? levels["default"];

    private static List<string> Strings(JsonNode? node) => node!.AsArray().Select(n => n.Str()!).ToList();

    [GeneratedRegex(@"(?<name>\w+) \((?<id>\d{4}), (?<functions>[\w/]+)\)")]
    private static partial Regex DescribedEvent();

    [GeneratedRegex(@"tostring\(Properties\.EventName\) (?:==|in) \(?(?<names>(?:""\w+""(?:, )?)+)\)?")]
    private static partial Regex EventNameClause();

    [GeneratedRegex(@"datatable\(EventName: string\) \[(?<names>[^\]]+)\]")]
    private static partial Regex DataTable();

    [GeneratedRegex(@"""(\w+)""")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"extract\(@""(?<regex>[^""]+)"", 1, Message\)")]
    private static partial Regex Extract();
}
