// The one reload procedure shared by the policy and the TLS files: read, compare the content
// digest, validate completely, and only then swap. A refused change is logged once (not on every
// periodic re-read of the same bytes), counted, and the last good value stays in force.
import { describeError } from '../errors';
import type { Logger } from '../logger';

/** What reloads: the policy file, or the TLS files (serving certificate, key, client CA) together. */
export type ReloadKind = 'policy' | 'tls';
export const RELOAD_RESULTS = ['success', 'failure'] as const;
export type ReloadResult = (typeof RELOAD_RESULTS)[number];

/** Where reload attempts are counted: the webhook's metrics. */
export interface ReloadMetrics {
  recordReload(kind: ReloadKind, result: ReloadResult): void;
  /** The file on disk is again the one in force (for example, a broken edit was reverted). */
  recordReloadRecovered(kind: ReloadKind): void;
}

/** What started a reload: a directory event, the periodic re-read, or SIGHUP. */
export type ReloadTrigger = 'watch' | 'poll' | 'signal';
export type ReloadOutcome = 'reloaded' | 'unchanged' | 'refused';

/** A change that must not go into force; each issue is one line that names its file (and line:col). */
export class ReloadRefusedError extends Error {
  override readonly name = 'ReloadRefusedError';
  constructor(readonly issues: readonly string[]) {
    super(issues.join('\n'));
  }
}

export interface Snapshot<C> {
  readonly digest: string;
  readonly contents: C;
}

export interface Loaded<T> {
  readonly digest: string;
  readonly value: T;
}

export interface ReloadTarget<C, T> {
  readonly kind: ReloadKind;
  /** Reads the files; throws ReloadRefusedError when they cannot be read. */
  read(): Snapshot<C>;
  /** Validates completely; throws ReloadRefusedError. Must not touch what is in force. */
  parse(contents: C): T;
  /** Puts a validated value into force beyond the reloader's own reference; throwing refuses it. */
  apply(next: T): void;
  /** Fields that identify a value in log lines: the policy name and hash, the certificate fingerprint. */
  describe(value: T): Record<string, unknown>;
  recordLoaded(value: T, at: Date): void;
}

export class Reloader<C, T> {
  private inForce: Loaded<T>;
  /** Digest (or read failure) of the last refused change, so the same refusal is logged once. */
  private refused: string | undefined;

  constructor(
    private readonly target: ReloadTarget<C, T>,
    initial: Loaded<T>,
    private readonly logger: Logger,
    private readonly metrics: ReloadMetrics,
  ) {
    this.inForce = initial;
  }

  current(): T {
    return this.inForce.value;
  }

  reload(trigger: ReloadTrigger): ReloadOutcome {
    const { kind } = this.target;
    const explicit = trigger === 'signal';
    let snapshot: Snapshot<C>;
    try {
      snapshot = this.target.read();
    } catch (error) {
      return this.refuse(trigger, `unreadable:${describeError(error)}`, error);
    }
    if (snapshot.digest === this.inForce.digest) {
      if (this.refused !== undefined) {
        this.refused = undefined;
        this.metrics.recordReloadRecovered(kind);
        this.logger.info(`${kind} files are back to the version in force`, { trigger, ...this.target.describe(this.inForce.value) });
      } else if (explicit) {
        this.logger.info(`${kind} unchanged`, { trigger, ...this.target.describe(this.inForce.value) });
      }
      return 'unchanged';
    }
    if (snapshot.digest === this.refused && !explicit) return 'refused';

    let value: T;
    try {
      value = this.target.parse(snapshot.contents);
      this.target.apply(value);
    } catch (error) {
      return this.refuse(trigger, snapshot.digest, error);
    }
    const previous = this.inForce.value;
    this.inForce = { digest: snapshot.digest, value };
    this.refused = undefined;
    const now = new Date();
    this.target.recordLoaded(value, now);
    this.metrics.recordReload(kind, 'success');
    this.logger.info(`${kind} reloaded`, { trigger, previous: this.target.describe(previous), ...this.target.describe(value) });
    return 'reloaded';
  }

  private refuse(trigger: ReloadTrigger, key: string, error: unknown): ReloadOutcome {
    if (key === this.refused && trigger !== 'signal') return 'refused';
    this.refused = key;
    this.metrics.recordReload(this.target.kind, 'failure');
    const issues = error instanceof ReloadRefusedError ? error.issues : [describeError(error)];
    this.logger.error(`${this.target.kind} reload refused; the last good version stays in force`, {
      trigger,
      issues,
      inForce: this.target.describe(this.inForce.value),
    });
    return 'refused';
  }
}
