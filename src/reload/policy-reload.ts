// The policy file as a reload target: the text is validated and compiled by loadPolicy exactly as
// at startup, and the key files it names must parse, so a reload can never put a policy in force
// that `check` would reject.
import path from 'node:path';
import { formatPolicyIssue, loadPolicy, PolicyError, type CompiledPolicy } from '../policy';
import { describeError } from '../errors';
import { digestContents, readRegularFile, UnreadableFileError } from './files';
import { readPolicyKeys } from './policy-keys';
import { ReloadRefusedError, type Loaded, type ReloadTarget, type Snapshot } from './reloader';

function readPolicySnapshot(file: string): Snapshot<string> {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch (error) {
    throw new ReloadRefusedError([error instanceof UnreadableFileError ? error.message : `${file}: ${describeError(error)}`]);
  }
  return { digest: digestContents(bytes), contents: bytes.toString('utf8') };
}

/** Loads the policy and checks that every key file it names parses; throws PolicyError. */
function loadPolicyWithKeys(text: string, file: string): CompiledPolicy {
  const policy = loadPolicy(text, file);
  // The keys are kept current while serving by the review context, which reads them again.
  readPolicyKeys(policy, text, path.dirname(file));
  return policy;
}

function compilePolicyText(text: string, file: string): CompiledPolicy {
  try {
    return loadPolicyWithKeys(text, file);
  } catch (error) {
    if (error instanceof PolicyError) throw new ReloadRefusedError(error.issues.map(formatPolicyIssue));
    throw new ReloadRefusedError([`${file}: ${describeError(error)}`]);
  }
}

/** Reads and compiles the policy at startup, with its key files; throws PolicyError or UnreadableFileError. */
export function loadPolicyFile(file: string): Loaded<CompiledPolicy> {
  const bytes = readRegularFile(file);
  return { digest: digestContents(bytes), value: loadPolicyWithKeys(bytes.toString('utf8'), file) };
}

export function describePolicy(policy: CompiledPolicy): Record<string, unknown> {
  return { policy: policy.name, policyHash: policy.hash };
}

/** `recordLoaded` hears of every policy put in force (metrics); nothing else is swapped. */
export function createPolicyReloadTarget(file: string, recordLoaded: (policy: CompiledPolicy, at: Date) => void): ReloadTarget<string, CompiledPolicy> {
  return {
    kind: 'policy',
    read: () => readPolicySnapshot(file),
    parse: (text) => compilePolicyText(text, file),
    // The app reads the reloader's current policy once per review; nothing else to swap.
    apply: () => undefined,
    describe: (policy) => ({ file, ...describePolicy(policy) }),
    recordLoaded,
  };
}
