// Waiting for evidence instead of for time: polls a check until it holds, and fails at a deadline
// with what was awaited and the last thing the check said. A loaded machine only makes it slower.

export interface EventuallyOptions {
  /** How long to keep checking; generous, because a loaded machine is slow, not wrong. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** What is awaited, for the failure message; called once, at the deadline. */
  readonly describe?: () => string;
}

export const DEFAULT_EVENTUALLY_TIMEOUT_MS = 15_000;

/** Thrown by a check when waiting longer cannot help (the process it waits for has exited). */
export class GiveUp extends Error {
  override readonly name = 'GiveUp';
}
const DEFAULT_INTERVAL_MS = 25;

/**
 * Resolves with the first value of `check` that is neither undefined nor false. A check that
 * throws (an `expect` that does not hold yet) is retried too; at the deadline the last error is
 * part of the rejection. A GiveUp ends the wait at once.
 */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EVENTUALLY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const what = options.describe?.() ?? 'the condition';
      const last = lastError === undefined ? '' : `\nlast failure: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? DEFAULT_INTERVAL_MS));
  }
}
