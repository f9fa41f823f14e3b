// The set of files `pki` writes: a CA (new, or an existing one supplied by the operator), the
// webhook's serving certificate and kube-apiserver's client certificate, generated in one call.
import {
  DEFAULT_CLIENT_COMMON_NAME,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServingCertificate,
  type CertificateAndKey,
} from './generate';
import { DEFAULT_KEY_TYPE, type KeyType } from './keys';
import { DEFAULT_CA_VALIDITY_DAYS, DEFAULT_LEAF_VALIDITY_DAYS } from './validity';

export const DEFAULT_SUBJECT_ALT_NAMES: readonly string[] = ['localhost', '127.0.0.1'];

export interface PkiBundleOptions {
  subjectAltNames?: readonly string[];
  keyType?: KeyType;
  clientCommonName?: string;
  clientOrganizations?: readonly string[];
  caValidityDays?: number;
  leafValidityDays?: number;
  /** Sign with this CA instead of creating one. */
  ca?: CertificateAndKey;
  now?: Date;
}

export interface PkiBundle {
  ca: CertificateAndKey;
  server: CertificateAndKey;
  apiserverClient: CertificateAndKey;
}

export async function generatePkiBundle(options: PkiBundleOptions = {}): Promise<PkiBundle> {
  const keyType = options.keyType ?? DEFAULT_KEY_TYPE;
  const now = options.now ?? new Date();
  const leafValidityDays = options.leafValidityDays ?? DEFAULT_LEAF_VALIDITY_DAYS;
  const ca =
    options.ca ??
    (await generateCertificateAuthority({ keyType, now, validityDays: options.caValidityDays ?? DEFAULT_CA_VALIDITY_DAYS }));
  const [server, apiserverClient] = await Promise.all([
    generateServingCertificate(ca, {
      subjectAltNames: options.subjectAltNames ?? DEFAULT_SUBJECT_ALT_NAMES,
      keyType,
      now,
      validityDays: leafValidityDays,
    }),
    generateClientCertificate(ca, {
      commonName: options.clientCommonName ?? DEFAULT_CLIENT_COMMON_NAME,
      organizations: options.clientOrganizations ?? [],
      keyType,
      now,
      validityDays: leafValidityDays,
    }),
  ]);
  return { ca, server, apiserverClient };
}
