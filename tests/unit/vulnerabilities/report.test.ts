// parseTrivyReport on realistic Trivy 0.5x reports (schema version 2) and on the ways a CI job
// can get one wrong; every refusal names the file, line:col and field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError, parseTrivyReport } from '../../../src/vulnerabilities';
import { FIXTURES_DIR } from '../../support/paths';

const FIXTURES = join(FIXTURES_DIR, 'trivy');
const LEDGER_142_DIGEST = 'sha256:e55c9f547268701f7f123ac69d1ee427aed58bc5c6aabeca61da098d9c9925c3';
const GATEWAY_DIGEST = 'sha256:de7a6a7c0ce99d179c0c4e8992ef9fd42ea01b055b8f94db3422fb1fdc18e13b';
const ALPINE_DIGEST = 'sha256:b646acd4cfc2488e965f01032bd13e9b0edeb6a67c39f77ca119797e519148cd';
const NGINX_CONFIG_DIGEST = 'sha256:10d2eba549d7e9f819593ceebcbaae014247bfd2b177e6effb2e8b2c271815af';

function readFixture(folder: string, file: string): string {
  return readFileSync(join(FIXTURES, folder, file), 'utf8');
}

describe('valid reports', () => {
  test.each([
    {
      name: 'tagged image with a repo digest; duplicate IDs across packages counted once, worst first',
      file: 'ledger-1.4.2.json',
      references: ['registry.example.com/payments/ledger:1.4.2'],
      manifestDigests: [LEDGER_142_DIGEST],
      findings: [
        'CRITICAL CVE-2024-3094',
        'HIGH CVE-2023-44487',
        'HIGH CVE-2023-4911',
        'MEDIUM CVE-2023-45288',
        'MEDIUM CVE-2023-50495',
        'LOW CVE-2005-2541',
        'LOW TEMP-0841856-B18BAF',
      ],
    },
    {
      name: 'scanned by digest: no tag reference, the digest is indexed',
      file: 'api-gateway-by-digest.json',
      references: [],
      manifestDigests: [GATEWAY_DIGEST],
      findings: ['CRITICAL CVE-2023-45853', 'HIGH CVE-2024-6387'],
    },
    {
      name: 'Docker Hub short name is normalized; a clean image has no findings',
      file: 'alpine-3.19.json',
      references: ['docker.io/library/alpine:3.19'],
      manifestDigests: [ALPINE_DIGEST],
      findings: [],
    },
    {
      name: 'a local build has no repo digest, only the configuration digest',
      file: 'nginx-1.25-local.json',
      references: ['docker.io/library/nginx:1.25'],
      manifestDigests: [],
      findings: ['HIGH CVE-2023-52425', 'HIGH CVE-2024-2961', 'MEDIUM CVE-2024-28182', 'LOW CVE-2011-3374'],
    },
    {
      name: 'UNKNOWN sorts below LOW; a result without Vulnerabilities is fine',
      file: 'ledger-1.4.3.json',
      references: ['registry.example.com/payments/ledger:1.4.3'],
      manifestDigests: ['sha256:ceb28c20cc5d4921e9e618753fe652d919fe81a2f5fb44ffed47865f34a50c15'],
      findings: ['MEDIUM CVE-2023-50495', 'LOW CVE-2005-2541', 'UNKNOWN CVE-2025-0395'],
    },
  ])('$name', ({ file, references, manifestDigests, findings }) => {
    const report = parseTrivyReport(readFixture('valid', file), file);
    expect(report.source).toBe(file);
    expect(report.references).toEqual(references);
    expect(report.manifestDigests).toEqual(manifestDigests);
    expect(report.findings.map((finding) => `${finding.severity} ${finding.id}`)).toEqual(findings);
    expect(report.createdAt).toEqual(expect.any(Number));
  });

  test('packages of one ID are kept together', () => {
    const report = parseTrivyReport(readFixture('valid', 'ledger-1.4.2.json'), 'ledger.json');
    expect(report.findings[0]).toEqual({ id: 'CVE-2024-3094', key: 'CVE-2024-3094', severity: 'CRITICAL', packages: ['liblzma5', 'xz-utils'] });
  });

  test('ImageID is the configuration digest', () => {
    expect(parseTrivyReport(readFixture('valid', 'nginx-1.25-local.json'), 'n.json').imageId).toBe(NGINX_CONFIG_DIGEST);
  });
});

describe('refused reports', () => {
  test.each([
    { name: 'schema version 1', folder: 'invalid', file: 'schema-version-1.json', message: /^schema-version-1\.json:2:20: SchemaVersion: must be 2 .*got number 1$/ },
    { name: 'unknown severity word', folder: 'invalid', file: 'unknown-severity.json', message: /^unknown-severity\.json:119:23: Results\[0\]\.Vulnerabilities\[1\]\.Severity: must be one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL, got "SEVERE"$/ },
    { name: 'a filesystem scan names no image', folder: 'invalid', file: 'filesystem-scan.json', message: /^filesystem-scan\.json:\d+:\d+: ArtifactType: must be "container_image" .*got "filesystem"$/ },
    { name: 'a half-written file', folder: 'invalid', file: 'truncated.json', message: /^truncated\.json:\d+:\d+: not JSON: / },
  ])('$name', ({ folder, file, message }) => {
    expect(() => parseTrivyReport(readFixture(folder, file), file)).toThrow(message);
  });

  const base = JSON.parse(readFixture('valid', 'ledger-1.4.3.json')) as Record<string, unknown>;
  const edit = (change: (report: Record<string, unknown>) => void): string => {
    const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    change(copy);
    return JSON.stringify(copy, null, 2);
  };
  const results = (report: Record<string, unknown>): Array<{ Vulnerabilities: Array<Record<string, unknown>> }> =>
    report['Results'] as Array<{ Vulnerabilities: Array<Record<string, unknown>> }>;

  test.each([
    { name: 'not an object', text: '[]', message: /^r\.json:1:1: must be an object, got a list$/ },
    { name: 'empty file', text: '', message: /^r\.json:1:1: not JSON: / },
    { name: 'syntax error is located', text: '{\n  "SchemaVersion": 2,\n  "ArtifactName": x\n}', message: /^r\.json:\d+:\d+: not JSON: / },
    { name: 'missing ArtifactName', text: edit((r) => delete r['ArtifactName']), message: /ArtifactName: must be a non-empty string, got nothing$/ },
    { name: 'ArtifactName is not an image reference', text: edit((r) => (r['ArtifactName'] = 'Registry.Example.com/App Image')), message: /ArtifactName: "Registry.Example.com\/App Image" is not an image reference/ },
    {
      name: 'RepoDigests entry without a digest',
      text: edit((r) => ((r['Metadata'] as Record<string, unknown>)['RepoDigests'] = ['registry.example.com/payments/ledger:1.4.3'])),
      message: /Metadata\.RepoDigests\[0\]: "registry.example.com\/payments\/ledger:1.4.3" carries no @digest$/,
    },
    { name: 'ImageID with a short digest', text: edit((r) => ((r['Metadata'] as Record<string, unknown>)['ImageID'] = 'sha256:abc')), message: /Metadata\.ImageID: sha256 digest must be 64 lowercase hex characters, got 3$/ },
    { name: 'Results is an object', text: edit((r) => (r['Results'] = {})), message: /Results: must be a list, got an object$/ },
    { name: 'CreatedAt that is not a date (it would rank the report oldest)', text: edit((r) => (r['CreatedAt'] = 'garbage')), message: /CreatedAt: "garbage" is not a date and time \(RFC 3339, as Trivy writes it\)$/ },
    { name: 'missing Severity', text: edit((r) => delete results(r)[0]!.Vulnerabilities[0]!['Severity']), message: /Results\[0\]\.Vulnerabilities\[0\]\.Severity: must be a non-empty string, got nothing$/ },
    { name: 'lower-case severity', text: edit((r) => (results(r)[0]!.Vulnerabilities[0]!['Severity'] = 'high')), message: /Severity: must be one of .*got "high"$/ },
    {
      name: 'hostile vulnerability ID (would reach the reason)',
      text: edit((r) => (results(r)[0]!.Vulnerabilities[0]!['VulnerabilityID'] = 'CVE-1 <script>\n')),
      message: /Results\[0\]\.Vulnerabilities\[0\]\.VulnerabilityID: must be letters, digits and \._:\+- \(at most 100\), got "CVE-1 <script>\\n"$/,
    },
    { name: 'missing PkgName', text: edit((r) => delete results(r)[0]!.Vulnerabilities[2]!['PkgName']), message: /Results\[0\]\.Vulnerabilities\[2\]\.PkgName: must be a non-empty string/ },
  ])('$name', ({ text, message }) => {
    let thrown: unknown;
    try {
      parseTrivyReport(text, 'r.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ReportError);
    expect(String((thrown as ReportError).message)).toMatch(message);
  });

  test('the located line is the offending node', () => {
    const text = edit((r) => (results(r)[0]!.Vulnerabilities[1]!['Severity'] = 'SEVERE'));
    const error = (() => {
      try {
        parseTrivyReport(text, 'r.json');
      } catch (caught) {
        return caught as ReportError;
      }
      throw new Error('expected a ReportError');
    })();
    expect(text.split('\n')[error.line - 1]?.slice(error.column - 1)).toMatch(/^"SEVERE"/);
  });
});
