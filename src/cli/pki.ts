// `pki` writes the webhook's certificates (CA, serving, kube-apiserver client) into a directory;
// `pki status` checks such a directory. Generation and checks are pure functions in ../pki; this
// file only parses flags, reads and writes files (keys 0600) and refuses to overwrite by accident.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  APISERVER_CLIENT_ROLE,
  CA_ROLE,
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_CLIENT_COMMON_NAME,
  DEFAULT_KEY_TYPE,
  DEFAULT_LEAF_VALIDITY_DAYS,
  DEFAULT_SUBJECT_ALT_NAMES,
  KEY_TYPES,
  PKI_ROLES,
  PkiError,
  SERVER_ROLE,
  checkPkiStatus,
  formatPkiStatusTable,
  generatePkiBundle,
  inspectCertificate,
  parseSubjectAltName,
  privateKeyMatchesCertificate,
  validateValidityDays,
  type CertificateAndKey,
  type KeyType,
  type PkiBundle,
  type PkiFileContent,
} from '../pki';

const DEFAULT_PKI_DIR = 'pki';
const DEFAULT_WARN_DAYS = 30;
const KEY_FILE_MODE = 0o600;
const CERTIFICATE_FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o700;
const OUTPUT_FORMATS = ['table', 'json'] as const;

interface GenerateOptions {
  out: string;
  san?: string[];
  days: number;
  caDays: number;
  keyType: KeyType;
  clientCn: string;
  clientOrg: string[];
  caCert?: string;
  caKey?: string;
  force: boolean;
}

interface StatusOptions {
  dir: string;
  warnDays: number;
  output: (typeof OUTPUT_FORMATS)[number];
}

/** Thrown for anything the operator must fix (exit 1); the message names the file. */
class PkiCommandError extends Error {
  override readonly name = 'PkiCommandError';
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const WHOLE_NUMBER = /^\d+$/;

function parseDays(value: string): number {
  try {
    if (!WHOLE_NUMBER.test(value)) {
      throw new PkiError(`must be a whole number of days, got ${JSON.stringify(value)}`);
    }
    return validateValidityDays(Number(value), 'days');
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
}

function parseWarnDays(value: string): number {
  const days = Number(value);
  if (!WHOLE_NUMBER.test(value) || !Number.isSafeInteger(days)) {
    throw new InvalidArgumentError(`must be a whole number of days (0 or more), got ${JSON.stringify(value)}`);
  }
  return days;
}

function collectSubjectAltName(value: string, previous: string[] | undefined): string[] {
  try {
    parseSubjectAltName(value);
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
  return [...(previous ?? []), value];
}

/** The library defaults (localhost, 127.0.0.1) plus this machine's name, unless it cannot be a DNS SAN. */
function defaultSubjectAltNames(): string[] {
  const name = hostname().toLowerCase();
  try {
    parseSubjectAltName(name);
    return [...DEFAULT_SUBJECT_ALT_NAMES, name];
  } catch {
    process.stderr.write(`pki: host name ${JSON.stringify(name)} is not a valid DNS name; not adding it as a SAN (use --san)\n`);
    return [...DEFAULT_SUBJECT_ALT_NAMES];
  }
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PkiCommandError(`${flag} ${file}: cannot read: ${describeError(error)}`);
  }
}

function loadExistingCa(options: GenerateOptions): CertificateAndKey | undefined {
  if (options.caCert === undefined && options.caKey === undefined) {
    return undefined;
  }
  if (options.caCert === undefined || options.caKey === undefined) {
    throw new PkiCommandError('--ca-cert and --ca-key must be given together');
  }
  return { certificate: readText(options.caCert, '--ca-cert'), privateKey: readText(options.caKey, '--ca-key') };
}

/** An old ca.key left beside a different CA's certificate would mislead whoever reads the directory. */
function isStaleCaKey(keyPath: string, ca: CertificateAndKey): boolean {
  if (!existsSync(keyPath)) {
    return false;
  }
  try {
    return !privateKeyMatchesCertificate(ca.certificate, readFileSync(keyPath, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Writes beside the target and renames over it: a key is never readable with a looser mode, not
 * even for a moment, and a running `serve` that reloads certificates never sees half a file.
 */
function writeFile(file: string, text: string, mode: number): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode, flag: 'wx' });
  chmodSync(temporary, mode); // the umask may have narrowed `mode`; certificates must stay readable
  renameSync(temporary, file);
}

function describeCertificate(pem: string): string {
  const summary = inspectCertificate(pem);
  const usages = summary.isCertificateAuthority ? ['CA'] : summary.extendedKeyUsages;
  return [summary.subject, summary.keyAlgorithm, ...usages, ...summary.subjectAltNames, `expires ${summary.notAfter.toISOString()}`].join(', ');
}

async function generate(options: GenerateOptions): Promise<void> {
  const existingCa = loadExistingCa(options);
  const file = (name: string): string => path.join(options.out, name);
  const targets = PKI_ROLES.flatMap((role) =>
    role === CA_ROLE && existingCa !== undefined ? [role.certificateFile] : [role.certificateFile, role.keyFile],
  );
  const staleCaKey = existingCa !== undefined && isStaleCaKey(file(CA_ROLE.keyFile), existingCa);
  const conflicts = [...targets, ...(staleCaKey ? [CA_ROLE.keyFile] : [])].map(file).filter((target) => existsSync(target));
  if (conflicts.length > 0 && !options.force) {
    throw new PkiCommandError(`refusing to overwrite existing files (use --force to replace them): ${conflicts.join(', ')}`);
  }
  let bundle: PkiBundle;
  try {
    bundle = await generatePkiBundle({
      subjectAltNames: options.san ?? defaultSubjectAltNames(),
      keyType: options.keyType,
      clientCommonName: options.clientCn,
      clientOrganizations: options.clientOrg,
      caValidityDays: options.caDays,
      leafValidityDays: options.days,
      ca: existingCa,
    });
  } catch (error) {
    if (!(error instanceof PkiError) || existingCa === undefined) throw error;
    throw new PkiCommandError(`--ca-cert ${options.caCert} / --ca-key ${options.caKey}: ${error.message}`);
  }
  mkdirSync(options.out, { recursive: true, mode: DIRECTORY_MODE });
  if (staleCaKey) {
    unlinkSync(file(CA_ROLE.keyFile));
    process.stdout.write(`removed ${file(CA_ROLE.keyFile)}: it belonged to a different CA\n`);
  }
  const credentials = [
    [CA_ROLE, bundle.ca],
    [SERVER_ROLE, bundle.server],
    [APISERVER_CLIENT_ROLE, bundle.apiserverClient],
  ] as const;
  for (const [role, credential] of credentials) {
    writeFile(file(role.certificateFile), credential.certificate, CERTIFICATE_FILE_MODE);
    process.stdout.write(`wrote ${file(role.certificateFile)}: ${describeCertificate(credential.certificate)}\n`);
    if (role !== CA_ROLE || existingCa === undefined) {
      writeFile(file(role.keyFile), credential.privateKey, KEY_FILE_MODE);
      process.stdout.write(`wrote ${file(role.keyFile)} (mode 0600)\n`);
    }
  }
  if (existingCa !== undefined) {
    process.stdout.write(`the CA key stays at ${options.caKey}; ${file(CA_ROLE.keyFile)} was not written\n`);
  }
}

function readPkiFile(file: string): PkiFileContent {
  try {
    const mode = statSync(file).mode;
    return { state: 'present', text: readFileSync(file, 'utf8'), mode };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { state: 'missing' } : { state: 'unreadable', reason: describeError(error) };
  }
}

function showStatus(options: StatusOptions): void {
  const names = PKI_ROLES.flatMap((role) => [role.certificateFile, role.keyFile]);
  const files = Object.fromEntries(names.map((name) => [name, readPkiFile(path.join(options.dir, name))]));
  const status = checkPkiStatus(files, { now: new Date(), warnDays: options.warnDays });
  process.stdout.write(options.output === 'json' ? `${JSON.stringify({ dir: options.dir, ...status }, null, 2)}\n` : formatPkiStatusTable(status));
  if (!status.ok) {
    const count = status.certificates.reduce((total, certificate) => total + certificate.problems.length, 0);
    process.stderr.write(`pki status: ${count} problem${count === 1 ? '' : 's'} in ${options.dir}\n`);
    process.exitCode = 1;
  }
}

async function runReportingErrors(action: () => void | Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof PkiCommandError || error instanceof PkiError)) throw error;
    process.stderr.write(`pki: ${error.message}\n`);
    process.exitCode = 1;
  }
}

export function registerPkiCommand(program: Command): void {
  const pki = program
    .command('pki')
    .description(
      'Write a CA, the webhook serving certificate (serverAuth) and the kube-apiserver client certificate (clientAuth) ' +
        `into a directory: ca.crt ca.key server.crt server.key apiserver-client.crt apiserver-client.key (keys mode 0600). ` +
        'Refuses to overwrite existing files without --force. See also: pki status.',
    )
    .option('--out <dir>', 'directory to write (created if missing)', DEFAULT_PKI_DIR)
    .option('--san <name>', 'DNS name or IP address for the serving certificate, repeatable; replaces the default (localhost, 127.0.0.1, this host name)', collectSubjectAltName)
    .option('--days <n>', 'validity of the server and client certificates, in days (never beyond the CA)', parseDays, DEFAULT_LEAF_VALIDITY_DAYS)
    .option('--ca-days <n>', 'validity of a newly created CA, in days', parseDays, DEFAULT_CA_VALIDITY_DAYS)
    .addOption(new Option('--key-type <type>', 'key algorithm for every new key').choices(KEY_TYPES).default(DEFAULT_KEY_TYPE))
    .option('--client-cn <name>', 'common name of the kube-apiserver client certificate (what serve --allowed-client-names checks)', DEFAULT_CLIENT_COMMON_NAME)
    .option('--client-org <name>', 'organization (O) of the client certificate, repeatable', (value: string, previous: string[]) => [...previous, value], [])
    .option('--ca-cert <file>', 'sign with this existing CA certificate instead of creating a CA (copied to ca.crt; needs --ca-key)')
    .option('--ca-key <file>', 'private key of --ca-cert (PEM: PKCS#8, PKCS#1 or SEC1; never copied into --out)')
    .option('--force', 'overwrite existing files', false)
    .action((options: GenerateOptions) => runReportingErrors(() => generate(options)));

  pki
    .command('status')
    .summary('check a PKI directory: files, key pairs, issuer, purposes, expiry')
    .description(
      'Check a PKI directory: print each certificate\'s subject, issuer, SANs, EKUs, expiry and days left. Exit 1 when a file ' +
        'is missing or unparsable, a key does not match its certificate or is readable by others, a certificate is not signed ' +
        'by ca.crt, has the wrong extended key usage, is expired or expires within --warn-days. ca.key may be absent.',
    )
    .option('--dir <dir>', 'directory to check', DEFAULT_PKI_DIR)
    .option('--warn-days <n>', 'fail when a certificate expires within this many days', parseWarnDays, DEFAULT_WARN_DAYS)
    .addOption(new Option('--output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .action((options: StatusOptions) => runReportingErrors(() => showStatus(options)));
}
