// The one way to turn whatever was thrown into the text an operator reads.
// JavaScript can throw anything, and an Error made in another realm (a worker, a vm context)
// fails `instanceof Error`, so errors are recognised by shape rather than by class.

/** True for anything that carries a message, as every Error does, whichever realm made it. */
export function hasErrorMessage(value: unknown): value is { readonly message: string } {
  return typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string';
}

/** A Node.js system error's code (`ENOENT`, `EACCES`, ...), whichever realm made it. */
export function errorCode(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'string' ? value.code : undefined;
}

/** The message of an error, also for errors made in another realm; anything else as a string. */
export function describeError(error: unknown): string {
  return hasErrorMessage(error) ? error.message : String(error);
}
