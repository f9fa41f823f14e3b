// Finds the report for an image. When the image's digest is known (written, or resolved from its
// tag), only a report that names that digest vouches for it: content-addressed, so it cannot
// describe other content. A report found by tag describes whatever the tag pointed to when it was
// scanned, which is evidence only for an image whose digest nobody knows.
import type { ScanReport } from './report';

export class ReportIndex {
  static readonly EMPTY = new ReportIndex([]);

  readonly reports: readonly ScanReport[];
  private readonly byDigest = new Map<string, ScanReport>();
  private readonly byReference = new Map<string, ScanReport>();

  constructor(reports: readonly ScanReport[]) {
    this.reports = reports;
    for (const report of reports) {
      const digests = report.imageId === undefined ? report.manifestDigests : [...report.manifestDigests, report.imageId];
      for (const digest of digests) keepNewer(this.byDigest, digest, report);
      for (const reference of report.references) keepNewer(this.byReference, reference, report);
    }
  }

  /**
   * `reference` is the normalized `registry/repository:tag` (undefined for a digest-only image);
   * `digest` is the written or resolved manifest digest, when known.
   */
  findReport(reference: string | undefined, digest: string | undefined): ScanReport | undefined {
    if (digest !== undefined) return this.byDigest.get(digest);
    return reference === undefined ? undefined : this.byReference.get(reference);
  }

  /**
   * The report filed under a tag, whatever digests it records. For a resolved tag its findings
   * still refuse (as they would without resolution); it never vouches for the digest.
   */
  findTagReport(reference: string | undefined): ScanReport | undefined {
    return reference === undefined ? undefined : this.byReference.get(reference);
  }
}

/** Several reports for one key (re-scans): the newest CreatedAt wins, then the later file name. */
function keepNewer(map: Map<string, ScanReport>, key: string, report: ScanReport): void {
  const current = map.get(key);
  if (current === undefined || isNewer(report, current)) map.set(key, report);
}

function isNewer(candidate: ScanReport, current: ScanReport): boolean {
  const candidateTime = candidate.createdAt ?? Number.NEGATIVE_INFINITY;
  const currentTime = current.createdAt ?? Number.NEGATIVE_INFINITY;
  if (candidateTime !== currentTime) return candidateTime > currentTime;
  return candidate.source > current.source;
}
