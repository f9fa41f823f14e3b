// Renewing keeps what was set: before `pki --force` replaces certificates, the settings they carry
// (SANs, subject, key type) are read back and used again unless a flag overrides them, so a
// rotation never silently drops a SAN kube-apiserver connects by or the CN `serve` checks.
import type { LeafSettings, PkiBundleOptions } from './bundle';
import { PkiError } from './errors';
import { DEFAULT_CLIENT_COMMON_NAME } from './generate';
import { inspectCertificate } from './inspect';
import { DEFAULT_KEY_TYPE, findCertificateKeyType, type KeyType } from './keys';
import { x509 } from './x509';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
/** The subject attributes `pki` writes; any other one cannot be kept. */
const COMMON_NAME = 'CN';
const ORGANIZATION = 'O';
/** The SAN types `pki` writes (DNS names and IP addresses); others cannot be kept. */
const KEPT_TYPES: ReadonlySet<string> = new Set(['dns', 'ip']);

/** A certificate about to be replaced: where it was read from, and its PEM text. */
export interface ReplacedCertificate {
  file: string;
  pem: string;
}

/** The certificates of the output directory that this run replaces; absent ones are not there. */
export interface ReplacedCertificates {
  /** Only when a new CA replaces it; a CA given with --ca-cert is kept as it is. */
  ca?: ReplacedCertificate;
  server?: ReplacedCertificate;
  apiserverClient?: ReplacedCertificate;
}

/** What the operator set on the command line; undefined means "keep what was there, else the default". */
export interface PkiSettingFlags {
  subjectAltNames?: readonly string[];
  keyType?: KeyType;
  clientCommonName?: string;
  clientOrganizations?: readonly string[];
}

/** One setting read back from a replaced certificate. */
export interface KeptSetting {
  file: string;
  setting: string;
  value: string;
  /** The flag that would have replaced it; undefined when no flag sets it. */
  flag?: string;
}

export interface PlannedSettings {
  options: Pick<PkiBundleOptions, 'subjectAltNames' | 'keyType' | 'caKeyType' | 'server' | 'apiserverClient'>;
  kept: KeptSetting[];
  /** Parts of a replaced certificate that `pki` cannot write again, each naming its file. */
  dropped: string[];
}

interface SubjectParts {
  commonName?: string;
  organizations: string[];
  others: string[];
}

/** A replaced certificate, parsed on first use so a flag that overrides everything never needs it. */
class ReplacedReader {
  private parsed?: x509.X509Certificate;

  constructor(readonly source: ReplacedCertificate) {}

  get certificate(): x509.X509Certificate {
    if (this.parsed === undefined) {
      try {
        inspectCertificate(this.source.pem, this.source.file);
        this.parsed = new x509.X509Certificate(this.source.pem);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new PkiError(`cannot keep the settings of ${reason}; remove the file to start from the defaults`);
      }
    }
    return this.parsed;
  }

  subject(): SubjectParts {
    const parts: SubjectParts = { organizations: [], others: [] };
    for (const attribute of this.certificate.subjectName.toJSON()) {
      for (const [type, values] of Object.entries(attribute)) {
        for (const value of values) {
          if (type === COMMON_NAME && parts.commonName === undefined) parts.commonName = value;
          else if (type === ORGANIZATION) parts.organizations.push(value);
          else parts.others.push(`${type}=${value}`);
        }
      }
    }
    return parts;
  }

  keyType(): KeyType {
    const keyType = findCertificateKeyType(this.source.pem);
    if (keyType === undefined) {
      const algorithm = inspectCertificate(this.source.pem, this.source.file).keyAlgorithm;
      throw new PkiError(`${this.source.file} has an ${algorithm} key, which pki cannot generate: pass --key-type to choose one`);
    }
    return keyType;
  }
}

function describeList(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

/** The SANs of the replaced serving certificate that `pki` can write again, in certificate order. */
function readSubjectAltNames(reader: ReplacedReader, kept: KeptSetting[], dropped: string[]): string[] {
  const file = reader.source.file;
  const names = reader.certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  // The same names, as `pki status` and openssl show them (DNS:..., IP:..., URI:...).
  const labels = inspectCertificate(reader.source.pem, file).subjectAltNames;
  const written = names.flatMap(({ type, value }, index) => (KEPT_TYPES.has(type) ? [{ value, label: labels[index] ?? value }] : []));
  names.forEach(({ type }, index) => {
    if (!KEPT_TYPES.has(type)) dropped.push(`${file}: subject alternative name ${labels[index] ?? type} is not kept (pki writes DNS names and IP addresses only)`);
  });
  if (written.length === 0) {
    throw new PkiError(`${file} has no DNS name or IP address to keep as a subject alternative name: pass --san`);
  }
  kept.push({ file, setting: 'subject alternative names', value: written.map(({ label }) => label).join(', '), flag: '--san' });
  return written.map(({ value }) => value);
}

interface LeafFlags {
  commonName?: string;
  organizations?: readonly string[];
  keyType?: KeyType;
}

interface LeafFlagNames {
  commonName?: string;
  organizations?: string;
}

/** The subject and key of one leaf: each part from its flag, else from the replaced certificate, else the default. */
function planLeaf(
  reader: ReplacedReader | undefined,
  flags: LeafFlags,
  flagNames: LeafFlagNames,
  kept: KeptSetting[],
  dropped: string[],
): LeafSettings {
  const settings: LeafSettings = { commonName: flags.commonName, organizations: flags.organizations, keyType: flags.keyType };
  if (reader === undefined) return settings;
  const file = reader.source.file;
  if (settings.commonName === undefined || settings.organizations === undefined) {
    const subject = reader.subject();
    for (const other of subject.others) dropped.push(`${file}: subject attribute ${other} is not kept (pki writes CN and O only)`);
    if (settings.commonName === undefined) {
      if (subject.commonName === undefined) {
        dropped.push(`${file} has no common name (CN); the new certificate gets the default`);
      } else {
        settings.commonName = subject.commonName;
        kept.push({ file, setting: 'common name', value: subject.commonName, flag: flagNames.commonName });
      }
    }
    if (settings.organizations === undefined) {
      settings.organizations = subject.organizations;
      kept.push({ file, setting: 'organizations', value: describeList(subject.organizations), flag: flagNames.organizations });
    }
  }
  if (settings.keyType === undefined) {
    settings.keyType = reader.keyType();
    kept.push({ file, setting: 'key type', value: settings.keyType, flag: '--key-type' });
  }
  return settings;
}

/**
 * Decides every setting of a `pki` run: a flag wins; otherwise the certificate it replaces says
 * what was set before; otherwise the default. Throws PkiError, naming the file, when a replaced
 * certificate holds a setting that cannot be written again and no flag replaces it.
 */
export function planPkiSettings(
  replaced: ReplacedCertificates,
  flags: PkiSettingFlags,
  defaultSubjectAltNames: () => readonly string[],
): PlannedSettings {
  const kept: KeptSetting[] = [];
  const dropped: string[] = [];
  const server = replaced.server === undefined ? undefined : new ReplacedReader(replaced.server);
  const client = replaced.apiserverClient === undefined ? undefined : new ReplacedReader(replaced.apiserverClient);
  const ca = replaced.ca === undefined ? undefined : new ReplacedReader(replaced.ca);

  const subjectAltNames = flags.subjectAltNames ?? (server === undefined ? undefined : readSubjectAltNames(server, kept, dropped));
  const serverSettings = planLeaf(server, { keyType: flags.keyType }, {}, kept, dropped);
  const clientSettings = planLeaf(
    client,
    { commonName: flags.clientCommonName, organizations: flags.clientOrganizations, keyType: flags.keyType },
    { commonName: '--client-cn', organizations: '--client-org' },
    kept,
    dropped,
  );
  let caKeyType = flags.keyType;
  if (caKeyType === undefined && ca !== undefined) {
    caKeyType = ca.keyType();
    kept.push({ file: ca.source.file, setting: 'key type', value: caKeyType, flag: '--key-type' });
  }
  return {
    options: {
      subjectAltNames: subjectAltNames ?? defaultSubjectAltNames(),
      keyType: flags.keyType ?? DEFAULT_KEY_TYPE,
      caKeyType,
      server: serverSettings,
      apiserverClient: { ...clientSettings, commonName: clientSettings.commonName ?? DEFAULT_CLIENT_COMMON_NAME },
    },
    kept,
    dropped,
  };
}

/** `kept from FILE: SETTING VALUE (change with FLAG)`: the line `pki` prints for each kept setting. */
export function formatKeptSetting({ file, setting, value, flag }: KeptSetting): string {
  return `kept from ${file}: ${setting} ${value}${flag === undefined ? '' : ` (change with ${flag})`}`;
}

/**
 * Refuses a CA that would expire before certificates valid for `leafValidityDays`: a leaf clamped
 * to the CA's last days would be a rotation that silently expires soon after.
 */
export function checkCertificateAuthorityLifetime(ca: ReplacedCertificate, leafValidityDays: number, now: Date): void {
  const notAfter = inspectCertificate(ca.pem, ca.file).notAfter;
  const needed = now.getTime() + leafValidityDays * MS_PER_DAY;
  if (notAfter.getTime() >= needed) return;
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / MS_PER_DAY);
  if (daysLeft < 1) {
    const when = notAfter.getTime() <= now.getTime() ? 'expired on' : 'expires on';
    throw new PkiError(`${ca.file}: the CA ${when} ${notAfter.toISOString()}: renew the CA first`);
  }
  throw new PkiError(
    `${ca.file}: the CA expires on ${notAfter.toISOString()}, in ${daysLeft} day${daysLeft === 1 ? '' : 's'}, ` +
      `before certificates valid for ${leafValidityDays} days would: renew the CA first, or pass --days ${daysLeft} or less`,
  );
}
