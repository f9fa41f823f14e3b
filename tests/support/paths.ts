// Where tests find the project and its shared test data, wherever the test file itself lives
// (unit/ or system/, and compiled for make fault and soak under a build folder).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The checkout these helpers belong to, found by walking up to our package.json. */
export function findProjectRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'image-policy-webhook') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no image-policy-webhook package.json above ${start}`);
  }
}

export const PROJECT_ROOT = findProjectRoot();
/** Shared test data: requests, Trivy reports, decision logs, policies for the case-file tests. */
export const FIXTURES_DIR = path.join(PROJECT_ROOT, 'tests', 'fixtures');
/** The policy case files (gatekeeper-style data) that both review paths must agree on. */
export const CASES_DIR = path.join(PROJECT_ROOT, 'tests', 'cases');
