// `pki status`: checks a PKI directory (files present, key pairs, issuer, purposes, expiry) and
// prints a table or JSON. The checks are pure, in ../pki; this file reads the files and their
// modes. Exit 0 when every check passes, 1 when one fails, 2 for a usage error.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeError, errorCode } from '../errors';
import { PKI_ROLES, PkiError, checkPkiStatus, formatPkiStatusTable, type FileAccess, type PkiFileContent, type ServiceUser } from '../pki';
import { type CommandContext, type CommandIo, EXIT_NEGATIVE, EXIT_SUCCESS, RefusedError } from './kit';

export const DEFAULT_PKI_DIR = 'pki';
const DEFAULT_WARN_DAYS = 30;
const OUTPUT_FORMATS = ['table', 'json'] as const;
const WHOLE_NUMBER = /^\d+$/;
const USER_AND_GROUP = /^(\d+):(\d+)$/;
/** The numeric user and group of the container image, the systemd unit and the static pod. */
const DEPLOYED_WEBHOOK_USER = '65532:65532';

interface StatusOptions {
  dir: string;
  warnDays: number;
  output: (typeof OUTPUT_FORMATS)[number];
  webhookUser?: ServiceUser;
}

/** A PkiError is the operator's to fix (a bad --ca-cert, a validity beyond the CA's): a refusal. */
export async function refusePkiErrors(action: () => number | Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof PkiError) throw new RefusedError(error.message);
    throw error;
  }
}

function parseWarnDays(value: string): number {
  const days = Number(value);
  if (!WHOLE_NUMBER.test(value) || !Number.isSafeInteger(days)) {
    throw new InvalidArgumentError(`must be a whole number of days (0 or more), got ${JSON.stringify(value)}`);
  }
  return days;
}

function parseServiceUser(value: string): ServiceUser {
  const match = USER_AND_GROUP.exec(value);
  if (match === null) {
    throw new InvalidArgumentError(`must be a numeric user and group, as in ${DEPLOYED_WEBHOOK_USER}, got ${JSON.stringify(value)}`);
  }
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

function readAccess(file: string): FileAccess {
  const { mode, uid, gid } = statSync(file);
  return { mode, uid, gid };
}

function readPkiFile(file: string): PkiFileContent {
  try {
    const access = readAccess(file);
    return { state: 'present', text: readFileSync(file, 'utf8'), access };
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? { state: 'missing' } : { state: 'unreadable', reason: describeError(error) };
  }
}

function readDirectoryAccess(dir: string): FileAccess | undefined {
  try {
    return readAccess(dir);
  } catch {
    // A directory that cannot be examined shows as its files being missing or unreadable.
    return undefined;
  }
}

function showStatus(io: CommandIo, options: StatusOptions): number {
  const names = PKI_ROLES.flatMap((role) => [role.certificateFile, role.keyFile]);
  const files = Object.fromEntries(names.map((name) => [name, readPkiFile(path.join(options.dir, name))]));
  const status = checkPkiStatus(files, {
    now: new Date(),
    warnDays: options.warnDays,
    dir: options.dir,
    directoryAccess: readDirectoryAccess(options.dir),
    webhookUser: options.webhookUser,
  });
  io.stdout.write(options.output === 'json' ? `${JSON.stringify({ dir: options.dir, ...status }, null, 2)}\n` : formatPkiStatusTable(status));
  if (status.ok) return EXIT_SUCCESS;
  const count = status.certificates.reduce((total, certificate) => total + certificate.problems.length, status.problems.length);
  io.stderr.write(`pki status: ${count} problem${count === 1 ? '' : 's'} in ${options.dir}\n`);
  return EXIT_NEGATIVE;
}

export function registerPkiStatusCommand(pki: Command, context: CommandContext): void {
  pki
    .command('status')
    .summary('check a PKI directory: files, key pairs, issuer, purposes, expiry')
    .description(
      'Check a PKI directory: print each certificate\'s subject, issuer, SANs, EKUs, expiry and days left. Exit 1 when a file ' +
        'is missing or unparsable, a key does not match its certificate or is open to others, a certificate is not signed ' +
        'by ca.crt, has the wrong extended key usage, is expired or expires within --warn-days, or (with --webhook-user) the ' +
        'webhook could not read a file it serves with. ca.key may be absent, and so may the apiserver-client pair ' +
        '(kube-apiserver\'s copy lives in its own folder).',
    )
    .option('--dir <dir>', 'directory to check', DEFAULT_PKI_DIR)
    .option('--warn-days <n>', 'fail when a certificate expires within this many days', parseWarnDays, DEFAULT_WARN_DAYS)
    .addOption(new Option('--output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option(
      '--webhook-user <uid:gid>',
      `also check that this numeric user and group can read ca.crt, server.crt, server.key and list the directory (the deploy files run the webhook as ${DEPLOYED_WEBHOOK_USER})`,
      parseServiceUser,
    )
    .action((options: StatusOptions) => context.run('pki', () => refusePkiErrors(() => showStatus(context.io, options))));
}
