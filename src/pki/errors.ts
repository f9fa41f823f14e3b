// Typed errors raised by the PKI module. Callers (the pki command, tests) map them to exit codes
// and messages; each message names the input, the offending value and the rule it broke.

/** Any input the PKI module refuses: a bad name, a bad validity, a key that does not fit. */
export class PkiError extends Error {
  override readonly name: string = 'PkiError';
}

/** A subject alternative name that is neither a valid DNS name nor an IP address. */
export class InvalidSubjectAltNameError extends PkiError {
  override readonly name = 'InvalidSubjectAltNameError';
}
