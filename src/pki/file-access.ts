// Who may read the PKI files, judged from their mode and owner as the deploy files lay them out:
// the serving key root:65532 0640 (the webhook reads it through its group), certificates 0644,
// the folder root:65532 0750. Advice only narrows what no reader needs, or grants the webhook
// what it lacks: it never takes a service's read access to its key away.

/** The permission bits and owner of a file or folder, as stat reports them. */
export interface FileAccess {
  mode: number;
  uid: number;
  gid: number;
}

/** The user and group `serve` runs as (65532:65532 in the image, the systemd unit and the static pod). */
export interface ServiceUser {
  uid: number;
  gid: number;
}

/** Who reads a private key. */
export interface KeyReaders {
  /** A service may read the key through its group (the serving key, kube-apiserver's client key). */
  groupMayRead: boolean;
  /** `serve` opens it (--tls-key). */
  webhook: boolean;
}

const PERMISSION_BITS = 0o777;
const OWNER_BITS = 0o700;
const GROUP_BITS = 0o070;
const OTHER_BITS = 0o007;
const GROUP_READ = 0o040;
const OTHER_READ = 0o004;
const EVERYONE_READ = 0o444;
const OWNER_SHIFT = 6;
const GROUP_SHIFT = 3;
const ROOT_UID = 0;
const READ = 4;
const WRITE = 2;
const EXECUTE = 1;

function formatMode(mode: number): string {
  return (mode & PERMISSION_BITS).toString(8).padStart(4, '0');
}

function describeBits(bits: number): string {
  const words = [[READ, 'read'], [WRITE, 'write'], [EXECUTE, 'execute']] as const;
  return words.filter(([bit]) => (bits & bit) !== 0).map(([, word]) => word).join(' and ');
}

function describeExcess(excess: number): string {
  return [
    ...((excess & GROUP_BITS) === 0 ? [] : [`its group ${describeBits((excess & GROUP_BITS) >> GROUP_SHIFT)} access`]),
    ...((excess & OTHER_BITS) === 0 ? [] : [`others ${describeBits(excess & OTHER_BITS)} access`]),
  ].join(' and ');
}

/** POSIX access for one user: the owner class decides for the owner, the group class for the group. */
function allows(access: FileAccess, user: ServiceUser, bits: number): boolean {
  if (user.uid === ROOT_UID) return true;
  if (access.uid === user.uid) return ((access.mode >> OWNER_SHIFT) & bits) === bits;
  if (access.gid === user.gid) return ((access.mode >> GROUP_SHIFT) & bits) === bits;
  return (access.mode & bits) === bits;
}

/** The command that lets `user` do what `bits` allow: only those bits are added, and the group given if needed. */
function grant(path: string, access: FileAccess, user: ServiceUser, bits: number): string {
  if (access.uid === user.uid) return `chmod ${formatMode(access.mode | (bits << OWNER_SHIFT))} ${path}`;
  const chmod = `chmod ${formatMode(access.mode | (bits << GROUP_SHIFT))} ${path}`;
  return access.gid === user.gid ? chmod : `chgrp ${user.gid} ${path} && ${chmod}`;
}

function describeUser(user: ServiceUser, access: FileAccess): string {
  return `the webhook's user ${user.uid}:${user.gid} (owner ${access.uid}:${access.gid}, mode ${formatMode(access.mode)})`;
}

/**
 * What is wrong with who can read a private key, with one command that fixes it: access beyond
 * its readers is removed, and when the webhook's user is known the fix also keeps (or gives) it
 * read access. Without that user, a fix that removes others' read access says on whom it relies.
 */
export function explainKeyAccess(path: string, access: FileAccess, readers: KeyReaders, user?: ServiceUser): string | undefined {
  const allowed = OWNER_BITS | (readers.groupMayRead ? GROUP_READ : 0);
  const excess = access.mode & PERMISSION_BITS & ~allowed;
  const narrowed: FileAccess = { ...access, mode: access.mode & ~excess };
  const webhookNeedsGrant = readers.webhook && user !== undefined && !allows(narrowed, user, READ);
  if (excess === 0) {
    return user !== undefined && webhookNeedsGrant ? `cannot be read by ${describeUser(user, access)}: ${grant(path, access, user, READ)}` : undefined;
  }
  const exposure = `gives ${describeExcess(excess)} (mode ${formatMode(access.mode)})`;
  const chmod = `chmod ${formatMode(narrowed.mode)} ${path}`;
  if (!readers.groupMayRead) return `${exposure}; only pki reads it: ${chmod}`;
  if (user !== undefined && webhookNeedsGrant) {
    return `${exposure}, and the webhook's user ${user.uid}:${user.gid} must still read it: ${grant(path, narrowed, user, READ)}`;
  }
  if (readers.webhook && user === undefined && (excess & OTHER_READ) !== 0) {
    return `${exposure}: ${chmod}, if the webhook runs as user ${access.uid} or in group ${access.gid}; ` +
      'otherwise that would lock it out (pki status --webhook-user UID:GID names the fix for its user)';
  }
  return `${exposure}: ${chmod}`;
}

export type WebhookFileKind = 'certificate' | 'directory';

/**
 * Why the webhook's user cannot read a certificate `serve` opens, or list the folder that holds
 * them (it watches it for renewed files), with the command that grants it; undefined when it can.
 */
export function explainWebhookAccess(path: string, kind: WebhookFileKind, access: FileAccess, user: ServiceUser): string | undefined {
  const needed = kind === 'directory' ? READ | EXECUTE : READ;
  if (allows(access, user, needed)) return undefined;
  // A certificate is public: every reader may have it. The folder is opened to the webhook alone.
  const advice = kind === 'certificate' ? `chmod ${formatMode(access.mode | EVERYONE_READ)} ${path}` : grant(path, access, user, needed);
  return `cannot be ${kind === 'directory' ? 'listed' : 'read'} by ${describeUser(user, access)}: ${advice}`;
}
