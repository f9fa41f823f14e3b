// The public key files a policy names in its signatures sections, read and parsed wherever a
// policy is loaded (serve at startup and on reload, check, evaluate, replay, test): a key that
// cannot be used refuses the policy, pointing at the entry that names it and saying what is wrong
// with the file, exactly like any other fault of the policy.
import path from 'node:path';
import { type CompiledPolicy, PolicyError, type PolicyIssue, type SignatureKeyEntry, locatePolicyIssue } from '../policy';
import { PublicKeyError, type VerificationKey, parsePublicKey } from '../signatures';
import { describeError } from '../errors';
import { readRegularFile } from './files';

/** A PEM public key is under 1 KiB; anything far larger is the wrong file. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** A key file that cannot be used; the message names the file and the fault. */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

/** Where a key file is: relative paths resolve against the policy file's folder. */
export function resolveKeyFile(folder: string, entry: SignatureKeyEntry): string {
  return path.resolve(folder, entry.file);
}

/** Reads and parses one key file; throws KeyFileError naming the file. */
export function readKeyFile(name: string, file: string): VerificationKey {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file, MAX_KEY_FILE_BYTES);
  } catch (error) {
    throw new KeyFileError(describeError(error));
  }
  try {
    return parsePublicKey(name, bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof PublicKeyError) throw new KeyFileError(`${file}: ${error.message}`);
    throw error;
  }
}

/**
 * Every key the policy defines, by name. Throws PolicyError listing each key that cannot be used
 * at the line and column of its entry in `text`; `folder` is the policy file's folder.
 */
export function readPolicyKeys(policy: CompiledPolicy, text: string, folder: string): ReadonlyMap<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>();
  const issues: PolicyIssue[] = [];
  for (const entry of policy.signatures?.keys.values() ?? []) {
    try {
      keys.set(entry.name, readKeyFile(entry.name, resolveKeyFile(folder, entry)));
    } catch (error) {
      if (!(error instanceof KeyFileError)) throw error;
      issues.push(locatePolicyIssue(text, policy.source, entry.path, error.message));
    }
  }
  if (issues.length > 0) throw new PolicyError(issues);
  return keys;
}
