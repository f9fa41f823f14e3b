// `pki status` as a pure function: given the contents of a PKI directory and a clock, report each
// certificate's facts and every fault that would break the webhook's TLS — missing or unparsable
// files, a key that belongs to another certificate, a foreign issuer, expiry, the wrong purpose,
// a key open to others, and (given the webhook's user) a file the webhook could not open.
import { describeError } from '../errors';
import { PkiError } from './errors';
import { explainKeyAccess, explainWebhookAccess, type FileAccess, type ServiceUser, type WebhookFileKind } from './file-access';
import { explainIssuerMismatch, inspectCertificate, type CertificateSummary } from './inspect';
import { privateKeyMatchesCertificate } from './keys';
import { CA_ROLE, PKI_ROLES, type PkiRole } from './layout';

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** What the caller found on disk; `access` (mode and owner) lets keys and the webhook's access be checked. */
export type PkiFileContent =
  | { state: 'present'; text: string; access?: FileAccess }
  | { state: 'missing' }
  | { state: 'unreadable'; reason: string };

export interface PkiProblem {
  file: string;
  message: string;
}

export interface CertificateStatus {
  role: PkiRole['name'];
  file: string;
  keyFile: string;
  /** True when an optional pair is absent as a whole (the apiserver-client files on a webhook node). */
  absent: boolean;
  /** Absent when the certificate is missing or unparsable. */
  summary?: CertificateSummary;
  /** Whole days until notAfter; negative once expired. */
  daysLeft?: number;
  problems: PkiProblem[];
}

export interface PkiStatus {
  ok: boolean;
  /** Faults of the directory itself. */
  problems: PkiProblem[];
  certificates: CertificateStatus[];
}

export interface PkiStatusOptions {
  now: Date;
  /** A certificate that expires within this many days is a fault. */
  warnDays: number;
  /** The directory as the operator named it: advice names files under it, ready to paste. */
  dir: string;
  /** The directory's own mode and owner, when known. */
  directoryAccess?: FileAccess;
  /** When given, every file `serve` opens, and the directory, must be usable by this user. */
  webhookUser?: ServiceUser;
}

function readText(files: Readonly<Record<string, PkiFileContent>>, file: string, missing: string | undefined, problems: PkiProblem[]): string | undefined {
  const content = files[file] ?? { state: 'missing' };
  if (content.state === 'present') {
    return content.text;
  }
  if (content.state === 'unreadable') {
    problems.push({ file, message: `cannot be read: ${content.reason}` });
  } else if (missing !== undefined) {
    problems.push({ file, message: missing });
  }
  return undefined;
}

/** What to say of a missing file: a half pair names the half that is there. */
function describeMissing(role: PkiRole, file: string, files: Readonly<Record<string, PkiFileContent>>): string {
  const other = file === role.certificateFile ? role.keyFile : role.certificateFile;
  return role.optionalPair && !isMissing(files[other]) ? `missing, while ${other} is here (the two go together)` : 'missing';
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

function pathIn(dir: string, file: string): string {
  return `${dir.replace(/\/+$/, '') || '.'}/${file}`;
}

function checkKeyAccess(role: PkiRole, files: Readonly<Record<string, PkiFileContent>>, options: PkiStatusOptions): PkiProblem[] {
  const content = files[role.keyFile];
  if (content?.state !== 'present' || content.access === undefined) return [];
  const readers = { groupMayRead: role.keyGroupReadable, webhook: role.readByWebhook.key };
  const message = explainKeyAccess(pathIn(options.dir, role.keyFile), content.access, readers, options.webhookUser);
  return message === undefined ? [] : [{ file: role.keyFile, message }];
}

function checkWebhookAccess(file: string, kind: WebhookFileKind, content: PkiFileContent | undefined, options: PkiStatusOptions): PkiProblem[] {
  if (options.webhookUser === undefined || content?.state !== 'present' || content.access === undefined) return [];
  const message = explainWebhookAccess(pathIn(options.dir, file), kind, content.access, options.webhookUser);
  return message === undefined ? [] : [{ file, message }];
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

/** The webhook watches the directory for renewed files, so its user must list it, not only open files in it. */
function checkDirectory(options: PkiStatusOptions): PkiProblem[] {
  if (options.webhookUser === undefined || options.directoryAccess === undefined) return [];
  const dir = options.dir.replace(/\/+$/, '') || '.';
  const message = explainWebhookAccess(dir, 'directory', options.directoryAccess, options.webhookUser);
  return message === undefined ? [] : [{ file: dir, message }];
}

function isMissing(content: PkiFileContent | undefined): boolean {
  return content === undefined || content.state === 'missing';
}

function checkRole(
  role: PkiRole,
  files: Readonly<Record<string, PkiFileContent>>,
  caText: string | undefined,
  options: PkiStatusOptions,
): CertificateStatus {
  const problems: PkiProblem[] = [];
  const absent = role.optionalPair && isMissing(files[role.certificateFile]) && isMissing(files[role.keyFile]);
  const status: CertificateStatus = { role: role.name, file: role.certificateFile, keyFile: role.keyFile, absent, problems };
  if (absent) return status;
  const certificateText = readText(files, role.certificateFile, describeMissing(role, role.certificateFile, files), problems);
  const keyText = readText(files, role.keyFile, role.keyRequired ? describeMissing(role, role.keyFile, files) : undefined, problems);
  problems.push(...checkKeyAccess(role, files, options));
  if (role.readByWebhook.certificate) problems.push(...checkWebhookAccess(role.certificateFile, 'certificate', files[role.certificateFile], options));
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
  const problems = checkDirectory(options);
  return { ok: problems.length === 0 && certificates.every((certificate) => certificate.problems.length === 0), problems, certificates };
}
