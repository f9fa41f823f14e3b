// Which report an image gets: by its digest when the digest is known, else by tag; the tag report
// that still counts against a resolved tag; re-scans resolve to the newest.
import { ReportIndex, type ScanReport } from '../../../src/vulnerabilities';
import { FIXTURE_DIGESTS, UNKNOWN_DIGEST, readValidReport, readValidReports } from '../../support/trivy';

const index = new ReportIndex(readValidReports());

describe('findReport', () => {
  test.each([
    { name: 'tag reference', reference: 'registry.example.com/payments/ledger:1.4.2', digest: undefined, want: 'ledger-1.4.2.json' },
    { name: 'manifest digest (RepoDigests), no tag', reference: undefined, digest: FIXTURE_DIGESTS.ledger142, want: 'ledger-1.4.2.json' },
    { name: 'digest wins over a tag naming another report', reference: 'registry.example.com/payments/ledger:1.4.3', digest: FIXTURE_DIGESTS.ledger142, want: 'ledger-1.4.2.json' },
    { name: 'configuration digest (ImageID)', reference: undefined, digest: FIXTURE_DIGESTS.nginxConfig, want: 'nginx-1.25-local.json' },
    { name: 'scanned by digest, pod by digest', reference: undefined, digest: FIXTURE_DIGESTS.gateway, want: 'api-gateway-by-digest.json' },
    { name: 'a digest is content: another repository with the same digest', reference: 'mirror.example.com/ledger:1.4.2', digest: FIXTURE_DIGESTS.ledger142, want: 'ledger-1.4.2.json' },
    { name: 'Docker Hub short name in the report, normalized pod reference', reference: 'docker.io/library/alpine:3.19', digest: undefined, want: 'alpine-3.19.json' },
    { name: 'resolved to a digest the tag report does not record: stale, not used', reference: 'registry.example.com/payments/ledger:1.4.2', digest: UNKNOWN_DIGEST, want: undefined },
    { name: 'a known digest is vouched for only by a report naming it, not by a tag report without digests', reference: 'docker.io/library/nginx:1.25', digest: UNKNOWN_DIGEST, want: undefined },
    { name: 'unknown tag', reference: 'registry.example.com/payments/ledger:9.9.9', digest: undefined, want: undefined },
    { name: 'unknown digest, no tag', reference: undefined, digest: UNKNOWN_DIGEST, want: undefined },
    { name: 'a tag is not a prefix', reference: 'registry.example.com/payments/ledger:1.4', digest: undefined, want: undefined },
    { name: 'another registry with the same path', reference: 'registry.example.com.evil.io/payments/ledger:1.4.2', digest: undefined, want: undefined },
  ])('$name', ({ reference, digest, want }) => {
    expect(index.findReport(reference, digest)?.source).toBe(want);
  });

  test.each([
    { name: 'tag report without digests', reference: 'docker.io/library/nginx:1.25', want: 'nginx-1.25-local.json' },
    { name: 'tag report recording digests', reference: 'registry.example.com/payments/ledger:1.4.2', want: 'ledger-1.4.2.json' },
    { name: 'unknown tag', reference: 'registry.example.com/payments/ledger:9.9.9', want: undefined },
    { name: 'no tag', reference: undefined, want: undefined },
  ])('findTagReport: $name', ({ reference, want }) => {
    expect(index.findTagReport(reference)?.source).toBe(want);
  });

  test('the empty index finds nothing', () => {
    expect(ReportIndex.EMPTY.findReport('registry.example.com/payments/ledger:1.4.2', FIXTURE_DIGESTS.ledger142)).toBeUndefined();
  });
});

describe('re-scans of the same image', () => {
  const original = readValidReport('ledger-1.4.2.json');
  const rescan = (source: string, createdAt: number | undefined): ScanReport => ({ ...original, source, createdAt, findings: [] });

  test.each([
    { name: 'newer CreatedAt wins whatever the order', reports: [rescan('b.json', 2), rescan('a.json', 1)], want: 'b.json' },
    { name: 'newer CreatedAt wins (reversed)', reports: [rescan('a.json', 1), rescan('b.json', 2)], want: 'b.json' },
    { name: 'same time: the later file name wins', reports: [rescan('b.json', 5), rescan('a.json', 5)], want: 'b.json' },
    { name: 'a report with a CreatedAt beats one without', reports: [rescan('z.json', undefined), rescan('a.json', 1)], want: 'a.json' },
  ])('$name', ({ reports, want }) => {
    const rescans = new ReportIndex(reports);
    expect(rescans.findReport(original.references[0], undefined)?.source).toBe(want);
    expect(rescans.findReport(undefined, FIXTURE_DIGESTS.ledger142)?.source).toBe(want);
  });
});
