// Judges one image's scan report against the namespace's settings: deny when a finding not on
// the ignore list is above maxSeverity, or when a report is required and none exists. The
// words name the worst findings and count them by severity, briefly: they end up in the reason.
import type { ScanReport } from './report';
import { type Severity, SEVERITIES, rankSeverity } from './severity';

/** How many finding IDs a reason names before it says "+N more". */
export const MAX_NAMED_FINDINGS = 2;
export const REQUIRE_REPORT_RULE = 'requireReport: no scan report';

export interface VulnerabilityGate {
  readonly maxSeverity: Severity;
  /** Upper-cased vulnerability IDs accepted as risks. */
  readonly ignore: ReadonlySet<string>;
  readonly requireReport: boolean;
  /** Where each setting in force is written, e.g. `vulnerabilities` or `namespaces[1].vulnerabilities`. */
  readonly origins: { readonly maxSeverity: string; readonly requireReport: string };
}

export type GateVerdict =
  | { readonly passed: true; readonly report: ScanReport | undefined }
  | { readonly passed: false; readonly report: ScanReport | undefined; readonly rule: string; readonly why: string };

function countBySeverity(severities: readonly Severity[]): string {
  const counts = new Map<Severity, number>();
  for (const severity of severities) counts.set(severity, (counts.get(severity) ?? 0) + 1);
  return [...SEVERITIES]
    .reverse()
    .flatMap((severity) => (counts.has(severity) ? [`${counts.get(severity) ?? 0} ${severity}`] : []))
    .join(', ');
}

function nameFindings(ids: readonly string[]): string {
  const named = ids.slice(0, MAX_NAMED_FINDINGS).join(', ');
  const more = ids.length - MAX_NAMED_FINDINGS;
  return more > 0 ? `${named} +${more} more` : named;
}

export function gateReport(report: ScanReport | undefined, gate: VulnerabilityGate): GateVerdict {
  if (report === undefined) {
    if (!gate.requireReport) return { passed: true, report };
    return { passed: false, report, rule: `${gate.origins.requireReport}.${REQUIRE_REPORT_RULE}`, why: 'has no vulnerability scan report (requireReport)' };
  }
  const limit = rankSeverity(gate.maxSeverity);
  const severities: Severity[] = [];
  const ids: string[] = [];
  // Findings are sorted worst first, so the scan stops at the first one within the limit.
  for (const finding of report.findings) {
    if (rankSeverity(finding.severity) <= limit) break;
    if (gate.ignore.has(finding.key)) continue;
    severities.push(finding.severity);
    ids.push(finding.id);
  }
  if (ids.length === 0) return { passed: true, report };
  const counted = countBySeverity(severities);
  const named = nameFindings(ids);
  return {
    passed: false,
    report,
    rule: `${gate.origins.maxSeverity}.maxSeverity ${gate.maxSeverity}: ${counted} (${named})`,
    why: `has ${counted} above maxSeverity ${gate.maxSeverity}: ${named}`,
  };
}
