// Alerts (Azure Monitor): one action group for operations and one for triage staff, log search alert rules over what
// the app logs to Application Insights, and metric alerts on Key Vault. Every rule exists even with no e-mail address
// given (it then shows in Azure Monitor and notifies no one). Rules are evaluated every 15 minutes or less often, which
// is what a log alert costs least at, except the two a person must act on at once: an imminent tip and reporters being
// turned away (5 minutes).
//
// How the app's log lines arrive (checked against Azure/azure-functions-host and azure-functions-dotnet-worker): the
// isolated worker sends each line of an invocation to the Functions host, which writes it to Application Insights as a
// trace, in the workspace table AppTraces, with Properties.Category = "Function.<function>.User" and
// Properties.EventName = the [LoggerMessage] method's name. The host passes the event *name* only (its EventId is 0),
// so the rules match names; each rule's description names the event ids, and a test holds them to the code. Message
// is the formatted line; no rule depends on more than an id-free code such as a triage queue or a reason code.
// Lines are kept only at the levels host.json allows for their function (a test checks those too).

@description('Tags for every resource.')
param tags object

@description('Suffix of every name (the deployment\'s resource token).')
param namePrefix string

@description('Resource id of the Log Analytics workspace behind Application Insights.')
param logAnalyticsId string

@description('Resource id of the Key Vault.')
param keyVaultId string

@description('Operations e-mail addresses; empty: no operations action group.')
param alertEmails string[] = []

@description('Triage staff e-mail addresses for imminent tips; empty: no staff action group.')
param imminentTipAlertEmails string[] = []

@minValue(5)
@maxValue(1440)
@description('At most one imminent-tip notification per triage queue in this many minutes.')
param imminentTipAlertMuteMinutes int = 30

@minValue(1)
@description('Failed invocations of one function in 15 minutes that raise an alert.')
param functionFailureAlertThreshold int = 5

var logRules = [
  {
    name: 'imminent-tip-waiting'
    displayName: 'An imminent tip is waiting'
    description: 'An imminent tip is waiting in the triage queue named by the TriageQueue dimension: open /triage. Nothing else about the tip is in this alert. At most one per queue every IMMINENT_TIP_ALERT_MUTE_MINUTES (default 30) minutes. Events: ImminentTipWaiting (6001, ProcessTip/ProcessBulkTip).'
    severity: 1
    frequency: 'PT5M'
    window: 'PT5M'
    query: 'AppTraces | where tostring(Properties.EventName) == "ImminentTipWaiting" | extend TriageQueue = extract(@"triage queue ([a-z0-9][a-z0-9-]*)$", 1, Message) | project TimeGenerated, TriageQueue'
    dimension: 'TriageQueue'
    threshold: 1
    staff: true
    mute: 'PT${imminentTipAlertMuteMinutes}M'
  }
  {
    name: 'quarantine-growing'
    displayName: 'Tips are being quarantined'
    description: 'A message could not be processed and was kept, still encrypted, in the Quarantine table (the Reason dimension is its partition). See docs/keys.md for replaying it. Events: Quarantined (2003, ProcessTip/ProcessBulkTip/QuarantinePoison/QuarantineBulkPoison).'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: 'AppTraces | where tostring(Properties.EventName) == "Quarantined" | extend Reason = extract(@"quarantined: ([a-z-]+)$", 1, Message) | project TimeGenerated, Reason'
    dimension: 'Reason'
    threshold: 1
    staff: false
    mute: ''
  }
  {
    name: 'poison-queue-failing'
    displayName: 'The poison-queue function is failing'
    description: 'QuarantinePoison or QuarantineBulkPoison failed: messages that outlasted their retries are not reaching the Quarantine table and, after five failures, wait in tips-inbound-poison-poison or tips-inbound-bulk-poison-poison. Nothing is lost yet; look at the exceptions of the function named by the FunctionName dimension.'
    severity: 1
    frequency: 'PT15M'
    window: 'PT15M'
    query: 'AppRequests | where Name in ("QuarantinePoison", "QuarantineBulkPoison") and Success == false | project TimeGenerated, FunctionName = Name'
    dimension: 'FunctionName'
    threshold: 1
    staff: false
    mute: ''
  }
  {
    name: 'function-failures'
    displayName: 'Functions are failing'
    description: 'Invocations of the function named by the FunctionName dimension failed in 15 minutes (a queue message that fails is retried, then quarantined; nothing is dropped).'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: 'AppRequests | where Success == false | project TimeGenerated, FunctionName = Name'
    dimension: 'FunctionName'
    threshold: functionFailureAlertThreshold
    staff: false
    mute: ''
  }
  {
    name: 'intake-unavailable'
    displayName: 'Reporters are being turned away'
    description: 'Intake answered 503: storage or the intake key could not be reached, so submissions were not accepted (reporters are told to retry). Events: IntakeUnavailable (1003, SubmitTip/SubmitTipForm).'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'AppTraces | where tostring(Properties.EventName) == "IntakeUnavailable" | project TimeGenerated'
    dimension: ''
    threshold: 1
    staff: false
    mute: ''
  }
  {
    name: 'key-vault-errors-seen-by-the-app'
    displayName: 'The app cannot use the intake key'
    description: 'The app could not read or unwrap with the intake key (throttled, unavailable, or refused: check the identity\'s role on the key). Events: KeyAccessDenied (2005, ProcessTip/ProcessBulkTip), UnwrapFailed (3003, ProcessTip/ProcessBulkTip), PublicKeyRefreshFailed (3001, IntakeKey/SubmitTip/SubmitTipForm).'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: 'AppTraces | where tostring(Properties.EventName) in ("KeyAccessDenied", "UnwrapFailed", "PublicKeyRefreshFailed") | project TimeGenerated, EventName = tostring(Properties.EventName)'
    dimension: 'EventName'
    threshold: 1
    staff: false
    mute: ''
  }
  {
    name: 'intake-key-expiring'
    displayName: 'The intake key expires soon or has expired'
    description: 'The current intake key version expires soon or has expired, or the daily check could not read it: rotate it now (docs/keys.md). Events: IntakeKeyExpiresSoon (6011, CheckIntakeKey), IntakeKeyExpired (6012, CheckIntakeKey), IntakeKeyCheckFailed (6013, CheckIntakeKey), CurrentKeyOutsideValidity (3004, IntakeKey/SubmitTip/SubmitTipForm).'
    severity: 1
    frequency: 'PT1H'
    window: 'PT1H'
    query: 'AppTraces | where tostring(Properties.EventName) in ("IntakeKeyExpiresSoon", "IntakeKeyExpired", "IntakeKeyCheckFailed", "CurrentKeyOutsideValidity") | project TimeGenerated, EventName = tostring(Properties.EventName)'
    dimension: 'EventName'
    threshold: 1
    staff: false
    mute: ''
  }
  {
    name: 'scheduled-job-silent'
    displayName: 'A daily job has not run'
    description: 'A daily timer has not reported for 26 hours: retention (PurgeExpired, 03:30 UTC), the table backup (BackupTables, 02:30 UTC) or the key check (CheckIntakeKey, 04:00 UTC), named by the EventName dimension. Not raised in a deployment\'s first day. Events: LogRetentionReport (5101, PurgeExpired), TableBackupCompleted (6101, BackupTables), IntakeKeyChecked (6010, CheckIntakeKey).'
    severity: 2
    frequency: 'PT6H'
    window: 'P2D'
    query: 'let expected = datatable(EventName: string) ["LogRetentionReport", "TableBackupCompleted", "IntakeKeyChecked"]; let runningForADay = toscalar(AppTraces | where TimeGenerated < ago(26h) | take 1 | count) > 0; expected | where runningForADay | join kind=leftanti (AppTraces | where TimeGenerated > ago(26h) | extend EventName = tostring(Properties.EventName) | where EventName in (expected) | distinct EventName) on EventName | extend TimeGenerated = now()'
    dimension: 'EventName'
    threshold: 1
    staff: false
    mute: 'P1D'
  }
  {
    name: 'uploads-at-limit'
    displayName: 'Reporters cannot attach files: open uploads at their limit'
    description: 'New uploads are refused (429) because ATTACHMENTS_MAX_OPEN_UPLOADS uploads are open, all instances together: reporters\' files are kept out until tips take open uploads or the attachment sweep frees them (a week for uploads no tip names); reports still go through without their files. A flood paying stamps, or a limit too low for the traffic (docs/attachments.md, "Open uploads"). Each instance says it at most once a minute while it refuses. Events: UploadsAtLimit (9020, UploadCreate).'
    severity: 2
    frequency: 'PT15M'
    window: 'PT15M'
    query: 'AppTraces | where tostring(Properties.EventName) == "UploadsAtLimit" | project TimeGenerated'
    dimension: ''
    threshold: 1
    staff: false
    mute: ''
  }
  {
    name: 'log-analytics-daily-cap'
    displayName: 'Log Analytics stopped collecting: daily cap reached'
    description: 'The workspace reached its daily ingestion cap (LOG_ANALYTICS_DAILY_CAP_GB) and drops telemetry until the next day: the other alerts are blind until then. A flood, or a cap too low.'
    severity: 1
    frequency: 'PT15M'
    window: 'PT1H'
    query: '_LogOperation | where Category =~ "Ingestion" | where Detail has "OverQuota" | project TimeGenerated'
    dimension: ''
    threshold: 1
    staff: false
    mute: ''
  }
]

resource opsGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmails)) {
  name: 'ag-ops-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'tipops'
    enabled: true
    emailReceivers: [
      for (email, i) in alertEmails: {
        name: 'ops-${i}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

resource staffGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(imminentTipAlertEmails)) {
  name: 'ag-staff-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'tipstaff'
    enabled: true
    emailReceivers: [
      for (email, i) in imminentTipAlertEmails: {
        name: 'staff-${i}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

var opsActions = empty(alertEmails) ? [] : [opsGroup.id]
var staffActions = empty(imminentTipAlertEmails) ? [] : [staffGroup.id]

resource logAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in logRules: {
    name: '${rule.name}-${namePrefix}'
    location: resourceGroup().location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      scopes: [
        logAnalyticsId
      ]
      // A new workspace may not know AppTraces or AppRequests until the app has sent something; validating the query
      // then would fail the first provision. The queries are held to the app's events by AlertTests instead.
      skipQueryValidation: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: 'GreaterThanOrEqual'
            threshold: rule.threshold
            dimensions: empty(rule.dimension)
              ? []
              : [
                  {
                    name: rule.dimension
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      // Stateless with a mute where a rule must speak again for new occurrences (at most once per mute period and
      // dimension value); stateful otherwise (it fires once and resolves when the condition clears).
      autoMitigate: empty(rule.mute)
      muteActionsDuration: empty(rule.mute) ? null : rule.mute
      actions: {
        actionGroups: rule.staff ? staffActions : opsActions
      }
    }
  }
]

// Key Vault's own view: throttling (429) and server errors or refusals. 401 is left out on purpose: every client's
// first request is an unauthenticated challenge that Key Vault answers 401.
var keyVaultMetricRules = [
  {
    name: 'key-vault-throttled'
    description: 'Key Vault throttled requests (429): unwraps wait and retry; a sustained flood of tips can exceed the vault\'s RSA-HSM limits (docs/benchmarks.md).'
    statusCodes: [
      '429'
    ]
  }
  {
    name: 'key-vault-errors'
    description: 'Key Vault refused requests (403: a role or a disabled key version) or failed (5xx).'
    statusCodes: [
      '403'
      '500'
      '502'
      '503'
      '504'
    ]
  }
]

resource keyVaultAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for rule in keyVaultMetricRules: {
    name: '${rule.name}-${namePrefix}'
    location: 'global'
    tags: tags
    properties: {
      description: rule.description
      severity: 2
      enabled: true
      scopes: [
        keyVaultId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: 'status'
            metricNamespace: 'Microsoft.KeyVault/vaults'
            metricName: 'ServiceApiResult'
            dimensions: [
              {
                name: 'StatusCode'
                operator: 'Include'
                values: rule.statusCodes
              }
            ]
            operator: 'GreaterThan'
            threshold: 0
            timeAggregation: 'Count'
          }
        ]
      }
      actions: [
        for group in opsActions: {
          actionGroupId: group
        }
      ]
    }
  }
]

output opsActionGroupId string = empty(alertEmails) ? '' : opsGroup.id
output staffActionGroupId string = empty(imminentTipAlertEmails) ? '' : staffGroup.id
