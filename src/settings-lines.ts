import type { GateSettings, Settings } from './settings.js';

/** The scope inputs given, one line each. */
function scopeLines(settings: GateSettings): string[] {
  const s = settings.scopes;
  if (!s) return [];
  const named: Array<[string, string[]]> = [
    ['Teams', s.teams],
    ['Milestones', s.milestones],
    ['Sprints', s.sprints],
    ['Application modules', s.applicationModules],
    ['Defect types', s.defectTypes],
    ['Tags', s.tags]
  ];
  const lines = named.filter(([, names]) => names.length > 0).map(([label, names]) => `${label}: ${names.join(', ')}`);
  if (s.createdAfter) lines.push(`Created after: ${s.createdAfter.at.toISOString()} (${s.createdAfter.text})`);
  return lines;
}

/** What the run will do, for the log's first group: enough to check a workflow at a glance, no secret. */
export function settingsLines(settings: Settings): string[] {
  const { connection } = settings;
  const lines = [
    `Mode: ${settings.mode}${settings.dryRun ? ' (dry run: nothing is written to Octane)' : ''}`,
    `Octane: ${connection.url}, shared space ${connection.sharedSpaceId}, workspace ${connection.workspaceId}`,
    `Client id: ${connection.clientId}`,
    `Release: "${settings.releaseName}"`
  ];
  if (settings.mode === 'gate') {
    lines.push(
      `Phases: ${settings.phases.join(', ')}`,
      `Severities: ${settings.severities.length > 0 ? settings.severities.join(', ') : 'every severity'}`,
      ...scopeLines(settings),
      settings.conditions
        ? `Conditions: ${settings.conditions.map((c) => `${c.text}${c.level === 'warn' ? ' warn' : ''}`).join('; ')}${settings.failOnGate ? '' : ' (a failed check only warns: fail-on-gate is false)'}`
        : `Passes when: count ${settings.operator} ${settings.threshold}${settings.failOnGate ? '' : ' (a failed check only warns: fail-on-gate is false)'}`,
      `List up to: ${settings.listLimit} defects`
    );
  } else if (settings.mode === 'resolve-defect') {
    lines.push(`Defect: "${settings.defectName}"`, `Resolve phase: ${settings.resolvePhase ?? 'none (comment only)'}`);
  } else {
    lines.push(`Defect: "${settings.defectName}"`);
    if (settings.severity) lines.push(`Severity: ${settings.severity}`);
    const extra = Object.keys(settings.extraFields);
    if (extra.length > 0) lines.push(`Extra fields: ${extra.join(', ')}`);
    if (settings.attachments.length > 0) lines.push(`Attachments: ${settings.attachments.join(', ')}`);
    if (settings.testResults.length > 0) lines.push(`Test results: ${settings.testResults.join(', ')}`);
    lines.push(`Dedupe: ${settings.dedupe ? 'on' : 'off'}; run context: ${settings.addRunContext ? 'on' : 'off'}`);
  }
  lines.push(
    `Requests: timeout ${connection.timeoutMs / 1000} s, up to ${connection.retries} retries${connection.caCertificate ? '; extra CA certificate given' : ''}`
  );
  return lines;
}
