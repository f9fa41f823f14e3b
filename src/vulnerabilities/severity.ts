// Trivy's severity scale, ordered, and the one comparison gating uses. Trivy writes exactly
// these five words; anything else in a report is refused at load, never guessed at.

/** Lowest first: UNKNOWN < LOW < MEDIUM < HIGH < CRITICAL. */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANKS: ReadonlyMap<string, number> = new Map(SEVERITIES.map((severity, rank) => [severity, rank]));

export function isSeverity(value: string): value is Severity {
  return RANKS.has(value);
}

/** 0 for UNKNOWN up to 4 for CRITICAL. */
export function rankSeverity(severity: Severity): number {
  return RANKS.get(severity) ?? 0;
}
