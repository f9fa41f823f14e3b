// `pki status` as a pure function: given the contents of a PKI directory and a clock, report each
// certificate's facts and every fault that would break the webhook's TLS — missing or unparsable
// files, a key that belongs to another certificate, a foreign issuer, expiry, the wrong purpose.
import { describeError } from '../errors';
import { PkiError } from './errors';
import { explainIssuerMismatch, inspectCertificate, type CertificateSummary } from './inspect';
import { privateKeyMatchesCertificate } from './keys';
import { CA_ROLE, PKI_ROLES, type PkiRole } from './layout';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
/** Group and other permission bits: a private key must have none of them. */
const GROUP_OR_OTHER_ACCESS = 0o077;

/** What the caller found on disk; `mode` (permission bits) lets private keys be checked for exposure. */
export type PkiFileContent =
  | { state: 'present'; text: string; mode?: number }
  | { state: 'missing' }
  | { state: 'unreadable'; reason: string };

export interface PkiProblem {
  file: string;
  message: string;
}

export interface CertificateStatus {
  role: PkiRole['name'];
  file: string;
  /** Absent when the certificate is missing or unparsable. */
  summary?: CertificateSummary;
  /** Whole days until notAfter; negative once expired. */
  daysLeft?: number;
  problems: PkiProblem[];
}

export interface PkiStatus {
  ok: boolean;
  certificates: CertificateStatus[];
}

export interface PkiStatusOptions {
  now: Date;
  /** A certificate that expires within this many days is a fault. */
  warnDays: number;
}

function readText(files: Readonly<Record<string, PkiFileContent>>, file: string, required: boolean, problems: PkiProblem[]): string | undefined {
  const content = files[file] ?? { state: 'missing' };
  if (content.state === 'present') {
    return content.text;
  }
  if (content.state === 'unreadable') {
    problems.push({ file, message: `cannot be read: ${content.reason}` });
  } else if (required) {
    problems.push({ file, message: 'missing' });
  }
  return undefined;
}

function formatDays(days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`;
}

function checkValidity(file: string, summary: CertificateSummary, daysLeft: number, options: PkiStatusOptions): PkiProblem[] {
  const notAfter = summary.notAfter.toISOString();
  if (summary.notBefore.getTime() > options.now.getTime()) {
    return [{ file, message: `not valid before ${summary.notBefore.toISOString()}` }];
  }
  if (summary.notAfter.getTime() <= options.now.getTime()) {
    const daysAgo = Math.floor((options.now.getTime() - summary.notAfter.getTime()) / MS_PER_DAY);
    return [{ file, message: `expired on ${notAfter} (${formatDays(daysAgo)} ago)` }];
  }
  if (summary.notAfter.getTime() - options.now.getTime() <= options.warnDays * MS_PER_DAY) {
    return [{ file, message: `expires on ${notAfter}, in ${formatDays(daysLeft)} (within the warning threshold of ${formatDays(options.warnDays)})` }];
  }
  return [];
}

function checkPurpose(role: PkiRole, summary: CertificateSummary, caText: string | undefined, certificateText: string): PkiProblem[] {
  const file = role.certificateFile;
  if (role.extendedKeyUsage === undefined) {
    return summary.isCertificateAuthority ? [] : [{ file, message: 'not a CA certificate (basicConstraints CA:TRUE is missing)' }];
  }
  const problems: PkiProblem[] = [];
  if (!summary.extendedKeyUsages.includes(role.extendedKeyUsage)) {
    const has = summary.extendedKeyUsages.length > 0 ? summary.extendedKeyUsages.join(', ') : 'none';
    problems.push({ file, message: `extended key usage must include ${role.extendedKeyUsage}, has ${has}` });
  }
  if (role.extendedKeyUsage === 'serverAuth' && summary.subjectAltNames.length === 0) {
    problems.push({ file, message: 'has no subject alternative names; TLS clients match the host against SANs only' });
  }
  const mismatch = caText === undefined ? undefined : explainIssuerMismatch(certificateText, caText);
  if (mismatch !== undefined) {
    problems.push({ file, message: `${mismatch} (${CA_ROLE.certificateFile})` });
  }
  return problems;
}

function checkKeyMode(role: PkiRole, files: Readonly<Record<string, PkiFileContent>>): PkiProblem[] {
  const content = files[role.keyFile];
  if (content?.state !== 'present' || content.mode === undefined || (content.mode & GROUP_OR_OTHER_ACCESS) === 0) {
    return [];
  }
  const mode = (content.mode & 0o777).toString(8).padStart(4, '0');
  return [{ file: role.keyFile, message: `is readable or writable by group or others (mode ${mode}); chmod 600 it` }];
}

function checkKey(role: PkiRole, certificateText: string, keyText: string): PkiProblem[] {
  try {
    return privateKeyMatchesCertificate(certificateText, keyText)
      ? []
      : [{ file: role.keyFile, message: `does not match ${role.certificateFile} (it is the key of another certificate)` }];
  } catch (error) {
    return [{ file: role.keyFile, message: describeError(error).replace(/^private key: /, '') }];
  }
}

function checkRole(
  role: PkiRole,
  files: Readonly<Record<string, PkiFileContent>>,
  caText: string | undefined,
  options: PkiStatusOptions,
): CertificateStatus {
  const problems: PkiProblem[] = [];
  const status: CertificateStatus = { role: role.name, file: role.certificateFile, problems };
  const certificateText = readText(files, role.certificateFile, true, problems);
  const keyText = readText(files, role.keyFile, role.keyRequired, problems);
  problems.push(...checkKeyMode(role, files));
  if (certificateText === undefined) {
    return status;
  }
  try {
    status.summary = inspectCertificate(certificateText, role.certificateFile);
  } catch (error) {
    if (!(error instanceof PkiError)) {
      throw error;
    }
    problems.push({ file: role.certificateFile, message: error.message.replace(`${role.certificateFile}: `, '') });
    return status;
  }
  status.daysLeft = Math.floor((status.summary.notAfter.getTime() - options.now.getTime()) / MS_PER_DAY);
  problems.push(...checkValidity(role.certificateFile, status.summary, status.daysLeft, options));
  problems.push(...checkPurpose(role, status.summary, caText, certificateText));
  if (keyText !== undefined) {
    problems.push(...checkKey(role, certificateText, keyText));
  }
  return status;
}

/** Checks the CA first: a leaf's issuer is only checked against a CA certificate that parsed. */
export function checkPkiStatus(files: Readonly<Record<string, PkiFileContent>>, options: PkiStatusOptions): PkiStatus {
  const caStatus = checkRole(CA_ROLE, files, undefined, options);
  const caContent = files[CA_ROLE.certificateFile];
  const caText = caStatus.summary !== undefined && caContent?.state === 'present' ? caContent.text : undefined;
  const leafStatuses = PKI_ROLES.filter((role) => role !== CA_ROLE).map((role) => checkRole(role, files, caText, options));
  const certificates = [caStatus, ...leafStatuses];
  return { ok: certificates.every((certificate) => certificate.problems.length === 0), certificates };
}
