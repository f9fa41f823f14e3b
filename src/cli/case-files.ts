// Reads a case file from disk with everything it names (policy file, review files), resolving
// relative paths against the case file's folder. Shared by the `test` command and the project's
// own case-file suite, so both read case files the same way.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildCaseContext, buildCaseRequest, parseCaseFile, type CaseFile, type PolicyCase } from '../cases';
import { describeError } from '../errors';
import { loadPolicy, type CompiledPolicy, type EvaluationContext } from '../policy';
import { readReportDirectory } from '../review-context';

export interface LoadedCaseFile {
  readonly caseFile: CaseFile;
  readonly policy: CompiledPolicy;
  /** The request body a case sends: built from `images`, or read from its `review` file. */
  requestBody(testCase: PolicyCase): unknown;
  /** What a case is judged with beyond the policy: the policy's scan reports and the case's tag resolutions. */
  context(testCase: PolicyCase): EvaluationContext;
}

export function displayName(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}

/** Reads a file a case file names, saying which field named it when it cannot be read. */
function readReferencedFile(field: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${field} ${displayName(file)}: cannot read: ${describeError(error)}`);
  }
}

function loadCasePolicy(caseFile: CaseFile, folder: string, shownName: string): { policy: CompiledPolicy; policyFolder: string } {
  if (caseFile.policy.kind === 'inline') return { policy: loadPolicy(caseFile.policy.text, `${shownName} (inline policy)`), policyFolder: folder };
  const policyFile = path.resolve(folder, caseFile.policy.path);
  return { policy: loadPolicy(readReferencedFile('policyFile', policyFile), displayName(policyFile)), policyFolder: path.dirname(policyFile) };
}

/** The policy's reports directory, read once; a report that does not parse fails the case file, loudly. */
function readCaseReports(policy: CompiledPolicy, policyFolder: string): EvaluationContext['reports'] {
  if (policy.vulnerabilities === undefined) return undefined;
  const read = readReportDirectory(path.resolve(policyFolder, policy.vulnerabilities.reports));
  if (read.refused.length > 0) throw new Error(`vulnerabilities.reports: ${read.refused.join('; ')}`);
  return read.index;
}

function readReview(folder: string, review: string): unknown {
  const file = path.resolve(folder, review);
  const text = readReferencedFile('review', file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`review ${displayName(file)} is not JSON: ${describeError(error)}`);
  }
}

/** Throws CaseFileError, PolicyError or a read error naming the file; a review file is read per case. */
export function loadCaseFileFromDisk(file: string): LoadedCaseFile {
  const shownName = displayName(file);
  const folder = path.dirname(path.resolve(file));
  const caseFile = parseCaseFile(readFileSync(file, 'utf8'), shownName);
  const { policy, policyFolder } = loadCasePolicy(caseFile, folder, shownName);
  const reports = readCaseReports(policy, policyFolder);
  return {
    caseFile,
    policy,
    requestBody: (testCase) => (testCase.review === undefined ? buildCaseRequest(testCase) : readReview(folder, testCase.review)),
    context: (testCase) => buildCaseContext(testCase, reports),
  };
}
