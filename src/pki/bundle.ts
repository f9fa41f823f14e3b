// The set of files `pki` writes: a CA (new, or an existing one supplied by the operator), the
// webhook's serving certificate and kube-apiserver's client certificate, generated in one call.
import {
  DEFAULT_CLIENT_COMMON_NAME,
  DEFAULT_SERVER_COMMON_NAME,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServingCertificate,
  type CertificateAndKey,
} from './generate';
import { DEFAULT_KEY_TYPE, type KeyType } from './keys';
import { DEFAULT_CA_VALIDITY_DAYS, DEFAULT_LEAF_VALIDITY_DAYS } from './validity';

export const DEFAULT_SUBJECT_ALT_NAMES: readonly string[] = ['localhost', '127.0.0.1'];

/** The subject and key of one leaf certificate; what is left out takes the default. */
export interface LeafSettings {
  commonName?: string;
  organizations?: readonly string[];
  keyType?: KeyType;
}

export interface PkiBundleOptions {
  subjectAltNames?: readonly string[];
  /** The key type of every new key that a setting below does not name. */
  keyType?: KeyType;
  /** The key type of a new CA (not used with `ca`). */
  caKeyType?: KeyType;
  server?: LeafSettings;
  apiserverClient?: LeafSettings;
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
    (await generateCertificateAuthority({
      keyType: options.caKeyType ?? keyType,
      now,
      validityDays: options.caValidityDays ?? DEFAULT_CA_VALIDITY_DAYS,
    }));
  const server = options.server ?? {};
  const client = options.apiserverClient ?? {};
  const [serverCredential, clientCredential] = await Promise.all([
    generateServingCertificate(ca, {
      subjectAltNames: options.subjectAltNames ?? DEFAULT_SUBJECT_ALT_NAMES,
      commonName: server.commonName ?? DEFAULT_SERVER_COMMON_NAME,
      organizations: server.organizations ?? [],
      keyType: server.keyType ?? keyType,
      now,
      validityDays: leafValidityDays,
    }),
    generateClientCertificate(ca, {
      commonName: client.commonName ?? DEFAULT_CLIENT_COMMON_NAME,
      organizations: client.organizations ?? [],
      keyType: client.keyType ?? keyType,
      now,
      validityDays: leafValidityDays,
    }),
  ]);
  return { ca, server: serverCredential, apiserverClient: clientCredential };
}
