// Finds the report for an image: by digest first (content-addressed, so it cannot describe other
// content), then by tag. A tag's report is used for a digest-known image only when it records no
// manifest digest to contradict it: a report of what the tag pointed to last week is not evidence.
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
    if (digest !== undefined) {
      const exact = this.byDigest.get(digest);
      if (exact !== undefined) return exact;
    }
    if (reference === undefined) return undefined;
    const tagged = this.byReference.get(reference);
    if (tagged === undefined) return undefined;
    return digest === undefined || tagged.manifestDigests.length === 0 ? tagged : undefined;
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
