// The file faults injected into a running webhook, as data shared by the jest tests (make test)
// and the scripted run (make fault): each breaks the policy or the TLS files in one way an editor,
// a tool, a full disk or a hostile neighbour might, and every one of them must be refused.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { generateServingCertificate } from '../../../../src/pki';
import { TEST_SERVER_SUBJECT_ALT_NAMES, type TestPki } from '../../../support/pki';
import { SCENARIO_POLICY_A } from './scenario';
import type { ServedDirectory } from '../../../support/served-files';
import { serverIgnoresFileModes } from '../../../support/serve-process';

export const POLICY_FILE = 'policy.yaml';
export const CERT_FILE = 'server.crt';
export const KEY_FILE = 'server.key';
export const CA_FILE = 'ca.crt';
const KEY_MODE = 0o600;
const MS_PER_DAY = 86_400_000;
const OVERSIZED_BYTES = 9 * 1024 * 1024;

export interface FileFault {
  readonly name: string;
  /** Set for "mode 000": root reads such a file anyway, so the fault needs an unprivileged server. */
  readonly needsUnprivilegedServer?: boolean;
  inject(served: ServedDirectory, pki: TestPki): void | Promise<void>;
}

/** The faults that are faults for this server (all of them unless it runs as root). */
export function applicableFaults(faults: readonly FileFault[]): FileFault[] {
  return faults.filter((fault) => !fault.needsUnprivilegedServer || !serverIgnoresFileModes());
}

function replaceWithFifo(served: ServedDirectory, name: string): void {
  unlinkSync(served.file(name));
  const made = spawnSync('mkfifo', [served.file(name)]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
}

export const POLICY_FAULTS: readonly FileFault[] = [
  { name: 'policy deleted', inject: (served) => unlinkSync(served.file(POLICY_FILE)) },
  { name: 'policy truncated to zero bytes', inject: (served) => served.writeInPlace(POLICY_FILE, '') },
  { name: 'policy truncated inside a quoted pattern', inject: (served) => served.writeInPlace(POLICY_FILE, SCENARIO_POLICY_A.slice(0, SCENARIO_POLICY_A.indexOf(':latest'))) },
  { name: 'policy made unreadable (mode 000)', needsUnprivilegedServer: true, inject: (served) => chmodSync(served.file(POLICY_FILE), 0) },
  { name: 'policy replaced by invalid YAML', inject: (served) => void served.write(POLICY_FILE, 'allow: [registry.example.com/**\ndeny: {') },
  { name: 'policy replaced by YAML that is not a policy', inject: (served) => void served.write(POLICY_FILE, 'hello: world\n') },
  { name: 'policy with an invalid pattern', inject: (served) => void served.write(POLICY_FILE, SCENARIO_POLICY_A.replace('registry.example.com/**', 'Registry.example.com/UPPER/**')) },
  { name: 'policy replaced by binary garbage', inject: (served) => void served.write(POLICY_FILE, randomBytes(4096)) },
  { name: 'policy replaced by a directory', inject: (served) => { unlinkSync(served.file(POLICY_FILE)); mkdirSync(served.file(POLICY_FILE)); } },
  { name: 'policy replaced by a FIFO', inject: (served) => replaceWithFifo(served, POLICY_FILE) },
  { name: 'policy replaced by a dangling symlink', inject: (served) => { unlinkSync(served.file(POLICY_FILE)); symlinkSync(served.file('missing.yaml'), served.file(POLICY_FILE)); } },
  { name: 'policy replaced by a 9 MiB file', inject: (served) => void served.write(POLICY_FILE, `# ${'x'.repeat(OVERSIZED_BYTES)}\n${SCENARIO_POLICY_A}`) },
];

export const TLS_FAULTS: readonly FileFault[] = [
  { name: 'certificate replaced by garbage', inject: (served) => void served.write(CERT_FILE, randomBytes(2048)) },
  { name: 'certificate truncated halfway', inject: (served, pki) => served.writeInPlace(CERT_FILE, pki.server.certificate.slice(0, pki.server.certificate.length / 2)) },
  { name: 'certificate deleted', inject: (served) => unlinkSync(served.file(CERT_FILE)) },
  { name: 'certificate replaced by a FIFO', inject: (served) => replaceWithFifo(served, CERT_FILE) },
  { name: 'key replaced by garbage', inject: (served) => void served.write(KEY_FILE, 'not a key\n', KEY_MODE) },
  { name: 'key from another certificate', inject: (served, pki) => void served.write(KEY_FILE, pki.intruderClient.privateKey, KEY_MODE) },
  { name: 'key made unreadable (mode 000)', needsUnprivilegedServer: true, inject: (served, pki) => void served.write(KEY_FILE, pki.server.privateKey, 0o000) },
  { name: 'client CA replaced by garbage', inject: (served) => void served.write(CA_FILE, '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n') },
  {
    name: 'certificate replaced by an expired one',
    inject: async (served, pki) => {
      const expired = await generateServingCertificate(pki.ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, notBefore: new Date(Date.now() - 2 * MS_PER_DAY), notAfter: new Date(Date.now() - MS_PER_DAY) });
      served.write(KEY_FILE, expired.privateKey, KEY_MODE);
      served.write(CERT_FILE, expired.certificate);
    },
  },
];

/** Puts the good policy back, whatever the fault left at its path (a directory, a FIFO, a link). */
export function restorePolicy(served: ServedDirectory, policy: string = SCENARIO_POLICY_A): void {
  rmSync(served.file(POLICY_FILE), { recursive: true, force: true });
  served.write(POLICY_FILE, policy);
}

/** Puts the original certificate, key and client CA back. */
export function restoreTls(served: ServedDirectory, pki: TestPki): void {
  for (const name of [CERT_FILE, KEY_FILE, CA_FILE]) rmSync(served.file(name), { recursive: true, force: true });
  served.write(CERT_FILE, pki.server.certificate);
  served.write(KEY_FILE, pki.server.privateKey, KEY_MODE);
  served.write(CA_FILE, pki.ca.certificate);
}
