// The public keys of one policy, kept current while serving the way the policy is: the key files
// are watched, re-read on change and periodically, and each is swapped only when it parses. A
// key file that breaks (deleted, truncated, replaced by a private key) is refused and logged once,
// and the key's last good version stays in force; a key that never loaded verifies nothing.
import path from 'node:path';
import type { SignatureKeyEntry } from '../policy';
import type { VerificationKey } from '../signatures';
import { type FileWatch, KeyFileError, readKeyFile, resolveKeyFile, watchFiles } from '../reload';
import type { ReportWatcherOptions } from './report-watcher';
import { ScanningSetupError } from './tag-resolution';

interface KeySlot {
  readonly name: string;
  readonly file: string;
  key: VerificationKey | undefined;
  /** The fault of the last read, logged once per distinct fault; undefined when it parsed. */
  fault: string | undefined;
}

export class KeyRing {
  private readonly slots: readonly KeySlot[];
  private readonly watch: FileWatch | undefined;

  /** `folder`: the policy file's folder. With `strict`, a key that cannot be read throws ScanningSetupError. */
  constructor(
    entries: Iterable<SignatureKeyEntry>,
    folder: string,
    private readonly options: ReportWatcherOptions,
    strict: boolean,
  ) {
    this.slots = [...entries].map((entry) => ({ name: entry.name, file: resolveKeyFile(folder, entry), key: undefined, fault: undefined }));
    for (const slot of this.slots) {
      this.read(slot);
      if (slot.fault === undefined) continue;
      if (strict) throw new ScanningSetupError(`signatures.keys.${slot.name}: ${slot.fault}`);
      options.logger.error('signature key unusable; rules naming it verify nothing until it is fixed', { key: slot.name, issue: slot.fault });
    }
    const files = this.slots.map((slot) => slot.file);
    this.watch =
      options.watch && files.length > 0
        ? watchFiles({
            files,
            onChange: () => this.refresh(),
            logger: options.logger,
            ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
            ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
          })
        : undefined;
  }

  /** The key in force under `name`, or why there is none. */
  find(name: string): VerificationKey | { readonly fault: string } {
    const slot = this.slots.find((candidate) => candidate.name === name);
    if (slot === undefined) return { fault: `key ${name} is not defined` };
    return slot.key ?? { fault: `key ${name} is not loaded: ${slot.fault ?? 'never read'}` };
  }

  /** Re-reads every key file; a changed file that parses replaces its key, one that does not is refused. */
  refresh(): void {
    for (const slot of this.slots) {
      const before = slot.key;
      const loggedFault = slot.fault;
      this.read(slot);
      if (slot.fault !== undefined) {
        if (slot.fault !== loggedFault) this.options.logger.error('signature key file refused; the last good key (if any) stays in force', { key: slot.name, file: slot.file, issue: slot.fault });
      } else if (before?.fingerprint !== slot.key?.fingerprint) {
        this.options.logger.info('signature key reloaded', { key: slot.name, file: path.basename(slot.file), fingerprint: slot.key?.fingerprint });
      }
    }
  }

  close(): void {
    this.watch?.close();
  }

  private read(slot: KeySlot): void {
    try {
      slot.key = readKeyFile(slot.name, slot.file);
      slot.fault = undefined;
    } catch (error) {
      if (!(error instanceof KeyFileError)) throw error;
      // The last good key stays: a broken edit never takes away what was trusted a moment ago.
      slot.fault = error.message;
    }
  }
}
