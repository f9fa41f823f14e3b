// Replay with scan reports and tag resolution: a tag is judged by the digest the decision log
// recorded for it (no registry is asked), and the candidate policy's report gating applies to
// recorded reviews, so tightening maxSeverity shows which admitted pods it would refuse.
import { parseDecisionLog } from '../../../src/decision-log';
import { loadPolicy } from '../../../src/policy';
import { replayDecisions } from '../../../src/replay';
import { ReportIndex } from '../../../src/vulnerabilities';
import { FIXTURE_DIGESTS, readValidReports } from '../../support/trivy';

const LEDGER = 'registry.example.com/payments/ledger';
const REPORTS = new ReportIndex(readValidReports());

function policy(body: string) {
  return loadPolicy(`apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata: {name: candidate}\n${body}`, 'candidate.yaml');
}

/** A decision log line as the server writes it (buildDecisionLine). */
function logLine(image: string, fields: Record<string, string>): string {
  const verdict = { image, normalized: image, allowed: true, rule: 'allow[0] registry.example.com/**', ...fields };
  return JSON.stringify({ level: 'info', message: 'review', namespace: 'default', annotations: {}, decision: 'allow', allowed: true, mode: 'enforce', breakGlass: false, images: [verdict], policy: 'old', policyHash: 'abc123def456' });
}

test('the recorded digest and lookup error become the replay context', () => {
  const log = parseDecisionLog([logLine(`${LEDGER}:stable`, { digest: FIXTURE_DIGESTS.ledger142 }), logLine(`${LEDGER}:next`, { resolveError: 'registry x: no answer within 2000 ms' }), logLine(`${LEDGER}:1.4.3`, {})].join('\n'));
  expect(log.records.map((record) => (record.resolutions === undefined ? undefined : Object.fromEntries(record.resolutions)))).toEqual([
    { [`${LEDGER}:stable`]: { ok: true, digest: FIXTURE_DIGESTS.ledger142 } },
    { [`${LEDGER}:next`]: { ok: false, fault: 'registry x: no answer within 2000 ms' } },
    undefined,
  ]);
});

test.each([
  {
    name: 'a digest deny catches the tag by the digest it resolved to when it was admitted',
    body: `allow: [registry.example.com/**]\ndeny: ["${LEDGER}@${FIXTURE_DIGESTS.ledger142}"]\nresolveTags: {registries: [registry.example.com]}`,
    line: () => logLine(`${LEDGER}:stable`, { digest: FIXTURE_DIGESTS.ledger142 }),
    reports: undefined,
    kind: 'allowed-to-denied',
  },
  {
    name: 'tightening maxSeverity refuses an admitted vulnerable release',
    body: 'allow: [registry.example.com/**]\nvulnerabilities: {reports: reports, maxSeverity: MEDIUM}',
    line: () => logLine(`${LEDGER}:1.4.2`, {}),
    reports: REPORTS,
    kind: 'allowed-to-denied',
  },
  {
    name: 'the fixed release stays admitted under the same gate',
    body: 'allow: [registry.example.com/**]\nvulnerabilities: {reports: reports, maxSeverity: MEDIUM}',
    line: () => logLine(`${LEDGER}:1.4.3`, {}),
    reports: REPORTS,
    kind: undefined,
  },
  {
    name: 'a tag the log holds no digest for is a lookup failure (onError deny), never a silent pass',
    body: `allow: ["${LEDGER}@${FIXTURE_DIGESTS.ledger143}"]\nresolveTags: {registries: [registry.example.com]}`,
    line: () => logLine(`${LEDGER}:stable`, {}),
    reports: undefined,
    kind: 'allowed-to-denied',
  },
])('$name', ({ body, line, reports, kind }) => {
  const report = replayDecisions(policy(body), parseDecisionLog(line()).records, reports);
  const kinds = Object.entries(report.changed).filter(([, count]) => count > 0).map(([changed]) => changed);
  expect(kinds).toEqual(kind === undefined ? [] : [kind]);
});
