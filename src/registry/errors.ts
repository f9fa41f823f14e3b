// Why a tag could not be resolved, as one typed error. The kind drives nothing but logs and
// tests; the message is what a denial reason quotes, so it names the registry, the image and the
// cause, and never a credential.

export const LOOKUP_FAULT_KINDS = ['not-found', 'unauthorized', 'timeout', 'unreachable', 'protocol', 'configuration'] as const;
export type LookupFaultKind = (typeof LOOKUP_FAULT_KINDS)[number];

export class RegistryLookupError extends Error {
  readonly kind: LookupFaultKind;

  constructor(kind: LookupFaultKind, message: string) {
    super(message);
    this.name = 'RegistryLookupError';
    this.kind = kind;
  }
}

/** A credentials file that cannot be used: file, line:col, the entry and the rule (never the secret). */
export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError';
}
