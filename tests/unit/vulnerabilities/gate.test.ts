// gateReport: maxSeverity is the highest severity allowed; ignored IDs never deny; requireReport
// denies an image without a report; the words name the worst findings, counted.
import { type Severity, type VulnerabilityGate, gateReport } from '../../../src/vulnerabilities';
import { readValidReport } from '../../support/trivy';

const ledger142 = readValidReport('ledger-1.4.2.json');
const ledger143 = readValidReport('ledger-1.4.3.json');
const gateway = readValidReport('api-gateway-by-digest.json');
const alpine = readValidReport('alpine-3.19.json');

function gate(maxSeverity: Severity, ignore: readonly string[] = [], requireReport = false): VulnerabilityGate {
  return { maxSeverity, ignore: new Set(ignore.map((id) => id.toUpperCase())), requireReport, origins: { maxSeverity: 'vulnerabilities', requireReport: 'vulnerabilities' } };
}

test.each([
  { name: 'CRITICAL above HIGH denies', report: ledger142, gate: gate('HIGH'), why: 'has 1 CRITICAL above maxSeverity HIGH: CVE-2024-3094' },
  {
    name: 'everything above MEDIUM is counted, the worst two named',
    report: ledger142,
    gate: gate('MEDIUM'),
    why: 'has 1 CRITICAL, 2 HIGH above maxSeverity MEDIUM: CVE-2024-3094, CVE-2023-44487 +1 more',
  },
  {
    name: 'above UNKNOWN means every known severity',
    report: ledger142,
    gate: gate('UNKNOWN'),
    why: 'has 1 CRITICAL, 2 HIGH, 2 MEDIUM, 2 LOW above maxSeverity UNKNOWN: CVE-2024-3094, CVE-2023-44487 +5 more',
  },
  { name: 'maxSeverity CRITICAL never denies on findings', report: ledger142, gate: gate('CRITICAL'), why: undefined },
  { name: 'the ignored CRITICAL leaves nothing above HIGH', report: ledger142, gate: gate('HIGH', ['CVE-2024-3094']), why: undefined },
  { name: 'ignore is case-insensitive', report: ledger142, gate: gate('HIGH', ['cve-2024-3094']), why: undefined },
  {
    name: 'an ignored ID is left out of the count and names',
    report: ledger142,
    gate: gate('MEDIUM', ['CVE-2024-3094']),
    why: 'has 2 HIGH above maxSeverity MEDIUM: CVE-2023-44487, CVE-2023-4911',
  },
  { name: 'an ignore list that names other IDs changes nothing', report: gateway, gate: gate('HIGH', ['CVE-2024-3094']), why: 'has 1 CRITICAL above maxSeverity HIGH: CVE-2023-45853' },
  { name: 'accepted risk on the gateway', report: gateway, gate: gate('HIGH', ['CVE-2023-45853']), why: undefined },
  { name: 'UNKNOWN is below LOW', report: ledger143, gate: gate('LOW'), why: 'has 1 MEDIUM above maxSeverity LOW: CVE-2023-50495' },
  { name: 'fixed release passes MEDIUM', report: ledger143, gate: gate('MEDIUM'), why: undefined },
  { name: 'a clean image passes anything', report: alpine, gate: gate('UNKNOWN', [], true), why: undefined },
  { name: 'no report, none required', report: undefined, gate: gate('LOW'), why: undefined },
  { name: 'no report, requireReport', report: undefined, gate: gate('CRITICAL', [], true), why: 'has no vulnerability scan report (requireReport)' },
])('$name', ({ report, gate: settings, why }) => {
  const verdict = gateReport(report, settings);
  expect(verdict.passed).toBe(why === undefined);
  expect(verdict.report).toBe(report);
  if (!verdict.passed) expect(verdict.why).toBe(why);
});

test('the rule names the setting, its origin, the counts and the IDs', () => {
  const verdict = gateReport(ledger142, { ...gate('MEDIUM'), origins: { maxSeverity: 'namespaces[2].vulnerabilities', requireReport: 'vulnerabilities' } });
  expect(verdict).toMatchObject({ passed: false, rule: 'namespaces[2].vulnerabilities.maxSeverity MEDIUM: 1 CRITICAL, 2 HIGH (CVE-2024-3094, CVE-2023-44487 +1 more)' });
  expect(gateReport(undefined, { ...gate('HIGH', [], true), origins: { maxSeverity: 'vulnerabilities', requireReport: 'namespaces[0].vulnerabilities' } })).toMatchObject({
    rule: 'namespaces[0].vulnerabilities.requireReport: no scan report',
  });
});
