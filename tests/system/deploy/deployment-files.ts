// Reads the four ways to run the webhook on a control-plane node (Dockerfile, docker-compose.yml,
// the systemd unit, the static pod) into one shape, so tests can hold them to the same layout:
// the `serve` arguments, the numeric user, and the files they expect.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../support/built-cli';

export const DOCKERFILE = path.join(PROJECT_ROOT, 'Dockerfile');
export const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');
export const SYSTEMD_UNIT = path.join(PROJECT_ROOT, 'deploy', 'systemd', 'image-policy-webhook.service');
export const SYSUSERS_FILE = path.join(PROJECT_ROOT, 'deploy', 'systemd', 'image-policy-webhook.sysusers');
export const STATIC_POD = path.join(PROJECT_ROOT, 'deploy', 'static-pod', 'image-policy-webhook.yaml');

/** Where every deployment expects its files; the host folder for systemd and the static pod. */
export const CONFIG_DIR = '/etc/image-policy-webhook';
export const WEBHOOK_UID = 65532;

export interface Deployment {
  readonly name: string;
  /** Arguments after `serve`, as `--flag=value` or `--flag value` exactly as written. */
  readonly serveArgs: readonly string[];
  /** The numeric `uid:gid` the webhook runs as. */
  readonly user: string;
}

/** Joins backslash-continued lines, as both Dockerfiles and systemd units allow. */
function joinContinuations(text: string): string[] {
  return text.replace(/\\\n/g, ' ').split('\n');
}

/** The value of the last `KEY ...` (Dockerfile) or `Key=...` (unit) line, continuations joined. */
function lastDirective(lines: readonly string[], pattern: RegExp): string {
  const values = lines.map((line) => pattern.exec(line)?.[1]).filter((value): value is string => value !== undefined);
  const value = values.at(-1);
  if (value === undefined) throw new Error(`no line matches ${pattern}`);
  return value.trim();
}

function afterServe(argv: readonly string[], file: string): string[] {
  const index = argv.indexOf('serve');
  if (index < 0) throw new Error(`${file}: the command does not run \`serve\`: ${argv.join(' ')}`);
  return argv.slice(index + 1);
}

export interface DockerfileFacts extends Deployment {
  readonly baseImages: readonly string[];
  readonly entrypoint: readonly string[];
  readonly healthcheck: string;
  readonly exposed: string;
}

export function readDockerfile(): DockerfileFacts {
  const lines = joinContinuations(readFileSync(DOCKERFILE, 'utf8')).filter((line) => !line.trimStart().startsWith('#'));
  const exec = (pattern: RegExp): string[] => JSON.parse(lastDirective(lines, pattern)) as string[];
  const nodeImage = lastDirective(lines, /^ARG NODE_IMAGE=(.*)$/);
  return {
    name: 'Dockerfile',
    serveArgs: afterServe(exec(/^CMD (.*)$/), DOCKERFILE),
    user: lastDirective(lines, /^USER (.*)$/),
    baseImages: lines.filter((line) => line.startsWith('FROM ')).map((line) => line.split(/\s+/)[1]!.replace('${NODE_IMAGE}', nodeImage)),
    entrypoint: exec(/^ENTRYPOINT (.*)$/),
    healthcheck: lastDirective(lines, /^HEALTHCHECK (.*)$/),
    exposed: lastDirective(lines, /^EXPOSE (.*)$/),
  };
}

/** `${NAME:-default}` as compose interpolates it, from `env` or the default. */
export function interpolateCompose(value: string, env: Readonly<Record<string, string>> = {}): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}/g, (_match, name: string, fallback: string) => env[name] ?? fallback);
}

export interface ComposeService {
  readonly image: string;
  readonly network_mode: string;
  readonly restart: string;
  readonly read_only: boolean;
  readonly user: string;
  readonly cap_drop: readonly string[];
  readonly command: readonly string[];
  readonly volumes: readonly string[];
  readonly healthcheck: { readonly test: readonly string[] };
}

export function readComposeFile(): { version: string; services: Record<string, ComposeService> } {
  return parse(readFileSync(COMPOSE_FILE, 'utf8')) as { version: string; services: Record<string, ComposeService> };
}

export function readComposeDeployment(): Deployment {
  const service = readComposeFile().services['image-policy-webhook'];
  if (service === undefined) throw new Error(`${COMPOSE_FILE}: no service image-policy-webhook`);
  return {
    name: 'docker-compose.yml',
    serveArgs: afterServe(service.command.map((arg) => interpolateCompose(arg)), COMPOSE_FILE),
    user: interpolateCompose(service.user),
  };
}

export function readSystemdDeployment(): Deployment {
  const lines = joinContinuations(readFileSync(SYSTEMD_UNIT, 'utf8'));
  const user = lastDirective(lines, /^User=(.*)$/);
  const sysusers = readFileSync(SYSUSERS_FILE, 'utf8').split('\n').find((line) => line.startsWith(`u ${user} `));
  const uid = sysusers?.split(/\s+/)[2];
  if (uid === undefined) throw new Error(`${SYSUSERS_FILE}: no entry for user ${user}`);
  return {
    name: 'systemd unit',
    serveArgs: afterServe(lastDirective(lines, /^ExecStart=(.*)$/).split(/\s+/), SYSTEMD_UNIT),
    user: `${uid}:${uid}`,
  };
}

// Field names as in the Kubernetes API (core/v1 Pod), only those the tests read.
export interface PodManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    hostNetwork?: boolean;
    priority?: number;
    priorityClassName?: string;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; seccompProfile?: { type: string } };
    containers: {
      name: string;
      image: string;
      args?: string[];
      livenessProbe?: { httpGet?: { host?: string; port: number | string; path: string } };
      readinessProbe?: { httpGet?: { host?: string; port: number | string; path: string } };
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
      securityContext?: {
        runAsNonRoot?: boolean;
        allowPrivilegeEscalation?: boolean;
        readOnlyRootFilesystem?: boolean;
        privileged?: boolean;
        capabilities?: { drop?: string[]; add?: string[] };
      };
      volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
    }[];
    volumes?: { name: string; hostPath?: { path: string; type?: string } }[];
  };
}

export function readStaticPod(): PodManifest {
  return parse(readFileSync(STATIC_POD, 'utf8')) as PodManifest;
}

export function readStaticPodDeployment(): Deployment {
  const pod = readStaticPod();
  const container = pod.spec.containers[0];
  const context = pod.spec.securityContext;
  return {
    name: 'static pod',
    serveArgs: afterServe(container?.args ?? [], STATIC_POD),
    user: `${context?.runAsUser}:${context?.runAsGroup}`,
  };
}

/** `--flag=value` and `--flag value` both become [flag, value]; a bare switch gets ''. */
export function parseFlags(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const equals = arg.indexOf('=');
    if (equals > 0) {
      flags.set(arg.slice(0, equals), arg.slice(equals + 1));
    } else if (args[index + 1] !== undefined && !args[index + 1]!.startsWith('--')) {
      flags.set(arg, args[index + 1]!);
      index += 1;
    } else {
      flags.set(arg, '');
    }
  }
  return flags;
}
