// The one way to turn whatever was thrown into the text an operator reads.
// JavaScript can throw anything, and an Error made in another realm (a worker, a vm context)
// fails `instanceof Error`, so the message is read by shape rather than by class.

/** The message of an error, also for errors made in another realm; anything else as a string. */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
  return String(error);
}
