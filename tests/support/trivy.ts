// The Trivy report fixtures (tests/fixtures/trivy/valid) as parsed reports, plus the digests they
// record, for the gating, index, policy and server tests.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ScanReport, parseTrivyReport } from '../../src/vulnerabilities';
import { FIXTURES_DIR } from './paths';

export const TRIVY_FIXTURES = join(FIXTURES_DIR, 'trivy');
export const VALID_REPORTS_DIR = join(TRIVY_FIXTURES, 'valid');
export const INVALID_REPORTS_DIR = join(TRIVY_FIXTURES, 'invalid');

/** Manifest digests (RepoDigests) and configuration digests (ImageID) the fixtures record. */
export const FIXTURE_DIGESTS = {
  ledger142: 'sha256:e55c9f547268701f7f123ac69d1ee427aed58bc5c6aabeca61da098d9c9925c3',
  ledger142Config: 'sha256:b44d768f7734d379fb866c916c2076333f13395b76e4f771b22d4f0a60513990',
  ledger143: 'sha256:ceb28c20cc5d4921e9e618753fe652d919fe81a2f5fb44ffed47865f34a50c15',
  gateway: 'sha256:de7a6a7c0ce99d179c0c4e8992ef9fd42ea01b055b8f94db3422fb1fdc18e13b',
  alpine: 'sha256:b646acd4cfc2488e965f01032bd13e9b0edeb6a67c39f77ca119797e519148cd',
  nginxConfig: 'sha256:10d2eba549d7e9f819593ceebcbaae014247bfd2b177e6effb2e8b2c271815af',
} as const;

/** A digest no fixture records. */
export const UNKNOWN_DIGEST = `sha256:${'0'.repeat(64)}`;

export function readValidReport(file: string): ScanReport {
  return parseTrivyReport(readFileSync(join(VALID_REPORTS_DIR, file), 'utf8'), file);
}

export function readValidReports(): ScanReport[] {
  return readdirSync(VALID_REPORTS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map(readValidReport);
}
