// `pki` writes the webhook's certificates (CA, serving, kube-apiserver client) into a directory
// (`pki status`, in pki-status.ts, checks one). Generation is pure, in ../pki; this file only
// parses flags, reads and writes files (keys 0600) and refuses to overwrite by accident.
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeError } from '../errors';
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
  checkCertificateAuthorityLifetime,
  formatKeptSetting,
  generatePkiBundle,
  inspectCertificate,
  loadCertificateAuthority,
  parseSubjectAltName,
  planPkiSettings,
  privateKeyMatchesCertificate,
  validateValidityDays,
  type CertificateAndKey,
  type KeyType,
  type ReplacedCertificate,
  type ReplacedCertificates,
} from '../pki';
import { type CommandContext, type CommandIo, EXIT_SUCCESS, RefusedError, collect, readInputFile, writeFileAtomically } from './kit';
import { DEFAULT_PKI_DIR, refusePkiErrors, registerPkiStatusCommand } from './pki-status';

const KEY_FILE_MODE = 0o600;
const CERTIFICATE_FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o700;

interface GenerateOptions {
  out: string;
  san?: string[];
  days: number;
  caDays: number;
  keyType?: KeyType;
  clientCn?: string;
  clientOrg?: string[];
  caCert?: string;
  caKey?: string;
  force: boolean;
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

function collectSubjectAltName(value: string, previous: string[] | undefined): string[] {
  try {
    parseSubjectAltName(value);
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
  return collect(value, previous);
}

/** The library defaults (localhost, 127.0.0.1) plus this machine's name, unless it cannot be a DNS SAN. */
function defaultSubjectAltNames(io: CommandIo): string[] {
  const name = hostname().toLowerCase();
  try {
    parseSubjectAltName(name);
    return [...DEFAULT_SUBJECT_ALT_NAMES, name];
  } catch {
    io.stderr.write(`pki: host name ${JSON.stringify(name)} is not a valid DNS name; not adding it as a SAN (use --san)\n`);
    return [...DEFAULT_SUBJECT_ALT_NAMES];
  }
}

/** A CA the operator supplied with --ca-cert and --ca-key, and the files it came from. */
interface ExistingCa {
  credential: CertificateAndKey;
  certificateFile: string;
  keyFile: string;
}

function loadExistingCa(io: CommandIo, options: GenerateOptions): ExistingCa | undefined {
  if (options.caCert === undefined && options.caKey === undefined) {
    return undefined;
  }
  if (options.caCert === undefined || options.caKey === undefined) {
    throw new RefusedError('--ca-cert and --ca-key must be given together');
  }
  const credential = { certificate: readInputFile(io, '--ca-cert', options.caCert), privateKey: readInputFile(io, '--ca-key', options.caKey) };
  return { credential, certificateFile: options.caCert, keyFile: options.caKey };
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

function describeCertificate(pem: string): string {
  const summary = inspectCertificate(pem);
  const usages = summary.isCertificateAuthority ? ['CA'] : summary.extendedKeyUsages;
  return [summary.subject, summary.keyAlgorithm, ...usages, ...summary.subjectAltNames, `expires ${summary.notAfter.toISOString()}`].join(', ');
}

/** A CA given with --ca-cert must be a CA, with its key, and outlive the certificates it is to sign. */
async function checkExistingCa({ credential, certificateFile, keyFile }: ExistingCa, days: number): Promise<void> {
  try {
    await loadCertificateAuthority(credential);
  } catch (error) {
    if (!(error instanceof PkiError)) throw error;
    throw new RefusedError(`--ca-cert ${certificateFile} / --ca-key ${keyFile}: ${error.message}`);
  }
  checkCertificateAuthorityLifetime({ file: certificateFile, pem: credential.certificate }, days, new Date());
}

/** The certificates this run replaces, so that their settings can be kept. */
function readReplacedCertificates(io: CommandIo, out: string, newCa: boolean): ReplacedCertificates {
  const read = (name: string): ReplacedCertificate | undefined => {
    const file = path.join(out, name);
    return existsSync(file) ? { file, pem: readInputFile(io, '--out', file) } : undefined;
  };
  return {
    ca: newCa ? read(CA_ROLE.certificateFile) : undefined,
    server: read(SERVER_ROLE.certificateFile),
    apiserverClient: read(APISERVER_CLIENT_ROLE.certificateFile),
  };
}

async function generate(io: CommandIo, options: GenerateOptions): Promise<number> {
  const existingCa = loadExistingCa(io, options);
  const file = (name: string): string => path.join(options.out, name);
  const targets = PKI_ROLES.flatMap((role) =>
    role === CA_ROLE && existingCa !== undefined ? [role.certificateFile] : [role.certificateFile, role.keyFile],
  );
  const staleCaKey = existingCa !== undefined && isStaleCaKey(file(CA_ROLE.keyFile), existingCa.credential);
  const conflicts = [...targets, ...(staleCaKey ? [CA_ROLE.keyFile] : [])].map(file).filter((target) => existsSync(target));
  if (conflicts.length > 0 && !options.force) {
    throw new RefusedError(`refusing to overwrite existing files (use --force to replace them): ${conflicts.join(', ')}`);
  }
  const replaced = readReplacedCertificates(io, options.out, existingCa === undefined);
  const planned = planPkiSettings(
    replaced,
    { subjectAltNames: options.san, keyType: options.keyType, clientCommonName: options.clientCn, clientOrganizations: options.clientOrg },
    () => defaultSubjectAltNames(io),
  );
  if (existingCa !== undefined) await checkExistingCa(existingCa, options.days);
  const bundle = await generatePkiBundle({
    ...planned.options,
    caValidityDays: options.caDays,
    leafValidityDays: options.days,
    ca: existingCa?.credential,
  });
  for (const setting of planned.kept) io.stdout.write(`${formatKeptSetting(setting)}\n`);
  for (const note of planned.dropped) io.stderr.write(`pki: note: ${note}\n`);
  if (replaced.ca !== undefined) {
    io.stderr.write(
      `pki: note: a new CA replaces ${replaced.ca.file}; kube-apiserver and serve trust the old one until they are given the new ca.crt ` +
        `(to renew and keep the CA: pki --out ${options.out} --force --ca-cert ${replaced.ca.file} --ca-key ${file(CA_ROLE.keyFile)})\n`,
    );
  }
  mkdirSync(options.out, { recursive: true, mode: DIRECTORY_MODE });
  if (staleCaKey) {
    unlinkSync(file(CA_ROLE.keyFile));
    io.stdout.write(`removed ${file(CA_ROLE.keyFile)}: it belonged to a different CA\n`);
  }
  const credentials = [
    [CA_ROLE, bundle.ca],
    [SERVER_ROLE, bundle.server],
    [APISERVER_CLIENT_ROLE, bundle.apiserverClient],
  ] as const;
  for (const [role, credential] of credentials) {
    writeFileAtomically(file(role.certificateFile), credential.certificate, CERTIFICATE_FILE_MODE);
    io.stdout.write(`wrote ${file(role.certificateFile)}: ${describeCertificate(credential.certificate)}\n`);
    if (role !== CA_ROLE || existingCa === undefined) {
      writeFileAtomically(file(role.keyFile), credential.privateKey, KEY_FILE_MODE);
      io.stdout.write(`wrote ${file(role.keyFile)} (mode 0600)\n`);
    }
  }
  if (existingCa !== undefined) {
    io.stdout.write(`the CA key stays at ${existingCa.keyFile}; ${file(CA_ROLE.keyFile)} was not written\n`);
  }
  return EXIT_SUCCESS;
}

export function registerPkiCommand(program: Command, context: CommandContext): void {
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
    .addOption(new Option('--key-type <type>', `key algorithm for every new key (default ${DEFAULT_KEY_TYPE})`).choices(KEY_TYPES))
    .option('--client-cn <name>', `common name of the kube-apiserver client certificate, what serve --allowed-client-names checks (default ${DEFAULT_CLIENT_COMMON_NAME})`)
    .option('--client-org <name>', 'organization (O) of the client certificate, repeatable (default none)', collect)
    .option('--ca-cert <file>', 'sign with this existing CA certificate instead of creating a CA (copied to ca.crt; needs --ca-key)')
    .option('--ca-key <file>', 'private key of --ca-cert (PEM: PKCS#8, PKCS#1 or SEC1; never copied into --out)')
    .option('--force', 'replace existing files; the SANs, subjects and key types of the certificates replaced are kept unless a flag sets them', false)
    .action((options: GenerateOptions) => context.run('pki', () => refusePkiErrors(() => generate(context.io, options))));

  registerPkiStatusCommand(pki, context);
}
