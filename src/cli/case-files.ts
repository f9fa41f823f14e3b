// Reads a case file from disk with everything it names (policy file, review files), resolving
// relative paths against the case file's folder. Shared by the `test` command and the project's
// own case-file suite, so both read case files the same way.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CaseKeys, CaseFileError, buildCaseContext, buildCaseRequest, parseCaseFile, type CaseFile, type PolicyCase } from '../cases';
import { describeError } from '../errors';
import { loadPolicy, type CompiledPolicy, type EvaluationContext } from '../policy';
import { readPolicyKeys } from '../reload';
import { readReportDirectory } from '../review-context';

export interface LoadedCaseFile {
  readonly caseFile: CaseFile;
  readonly policy: CompiledPolicy;
  /** The request body a case sends: built from `images`, or read from its `review` file. */
  requestBody(testCase: PolicyCase): unknown;
  /** What a case is judged with beyond the policy: the policy's scan reports, the case's tag resolutions and signature checks. */
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

/** The policy with its key files read (relative paths against the policy's folder: the case file's for an inline policy). */
function loadCasePolicy(caseFile: CaseFile, folder: string, shownName: string): { policy: CompiledPolicy; policyFolder: string; keys: CaseKeys } {
  let source: { text: string; name: string; folder: string };
  if (caseFile.policy.kind === 'inline') source = { text: caseFile.policy.text, name: `${shownName} (inline policy)`, folder };
  else {
    const policyFile = path.resolve(folder, caseFile.policy.path);
    source = { text: readReferencedFile('policyFile', policyFile), name: displayName(policyFile), folder: path.dirname(policyFile) };
  }
  const policy = loadPolicy(source.text, source.name);
  const keys = readPolicyKeys(policy, source.text, source.folder);
  return { policy, policyFolder: source.folder, keys: { policy, fingerprints: new Map([...keys].map(([name, key]) => [name, key.fingerprint])) } };
}

/** A case that says a key verified an image must name a key the policy defines. */
function checkVerificationKeys(caseFile: CaseFile, keys: CaseKeys): void {
  caseFile.cases.forEach((testCase, index) => {
    for (const [image, verification] of testCase.verifications) {
      const unknown = 'keys' in verification ? verification.keys.find((name) => !keys.fingerprints.has(name)) : undefined;
      if (unknown !== undefined) throw new CaseFileError(`${caseFile.fileName}: cases[${index}] (${testCase.name}): verifications: ${image}: the policy defines no key "${unknown}"`);
    }
  });
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
  const { policy, policyFolder, keys } = loadCasePolicy(caseFile, folder, shownName);
  checkVerificationKeys(caseFile, keys);
  const reports = readCaseReports(policy, policyFolder);
  return {
    caseFile,
    policy,
    requestBody: (testCase) => (testCase.review === undefined ? buildCaseRequest(testCase) : readReview(folder, testCase.review)),
    context: (testCase) => buildCaseContext(testCase, reports, keys),
  };
}
