// A real OCI registry for the tag-resolution tests: Debian's `docker-registry` (distribution 2.8)
// started on loopback with a temporary config (plain HTTP or TLS; no auth, htpasswd basic auth,
// or token auth), images built with `umoci` and pushed or deleted with `skopeo`. Requests are
// counted from the registry's own access log, so a count is what the registry really served.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './eventually';
import { waitForReportedPort } from './ports';

const run = promisify(execFile);

/** Debian packages that provide the tools, named in the error when one is missing. */
const TOOL_PACKAGES: Readonly<Record<string, string>> = { 'docker-registry': 'docker-registry', skopeo: 'skopeo', umoci: 'umoci', htpasswd: 'apache2-utils' };
const STARTUP_TIMEOUT_MS = 30_000;
const LOG_WAIT_TIMEOUT_MS = 15_000;

export async function requireRegistryTools(): Promise<void> {
  const missing: string[] = [];
  for (const [tool, pkg] of Object.entries(TOOL_PACKAGES)) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      missing.push(pkg);
    }
  }
  if (missing.length > 0) throw new Error(`the registry tests need Debian packages: apt-get install ${missing.join(' ')} (make test-deps installs them)`);
}

export interface RegistryTls {
  readonly certPath: string;
  readonly keyPath: string;
}

export interface BasicLogin {
  readonly username: string;
  readonly password: string;
}

export interface TokenAuthConfig {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM bundle of the CA that signs the token server's certificate. */
  readonly rootCertBundlePath: string;
}

export interface RegistryOptions {
  readonly tls?: RegistryTls;
  readonly basic?: BasicLogin;
  readonly token?: TokenAuthConfig;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, as an image reference names it. */
  readonly host: string;
  readonly baseUrl: string;
  readonly tls: boolean;
  /** How many `METHOD path` requests the registry has logged so far (waits for the log to catch up). */
  countRequests(method: string, path: string): Promise<number>;
  /** Stops the registry (the temp directory is removed); the port then refuses connections. */
  stop(): Promise<void>;
}

/** Port 0, and info logging: the registry then logs the port it bound (`listening on 127.0.0.1:PORT`). */
function buildConfig(directory: string, options: RegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(directory, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:0',
  ];
  if (options.tls !== undefined) lines.push('  tls:', `    certificate: ${options.tls.certPath}`, `    key: ${options.tls.keyPath}`);
  if (options.basic !== undefined) lines.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${join(directory, 'htpasswd')}`);
  if (options.token !== undefined) {
    const { realm, service, issuer, rootCertBundlePath } = options.token;
    lines.push('auth:', '  token:', `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${rootCertBundlePath}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Any answer from /v2/ (200, 401) means the registry is serving. */
function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = (url.startsWith('https:') ? https : http).get(url, { rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
  });
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const directory = mkdtempSync(join(tmpdir(), 'ipw-registry-'));
  if (options.basic !== undefined) {
    const { stdout } = await run('htpasswd', ['-nbB', options.basic.username, options.basic.password]);
    writeFileSync(join(directory, 'htpasswd'), stdout);
  }
  const configPath = join(directory, 'config.yml');
  writeFileSync(configPath, buildConfig(directory, options));
  const child: ChildProcess = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const scheme = options.tls === undefined ? 'http' : 'https';
  let port: number;
  let baseUrl: string;
  try {
    port = await waitForReportedPort(() => (child.exitCode === null ? log : `${log}\n(exited with ${child.exitCode})`), /listening on 127\.0\.0\.1:(\d+)/, 'docker-registry', STARTUP_TIMEOUT_MS);
    baseUrl = `${scheme}://127.0.0.1:${port}`;
    await eventually(() => child.exitCode === null && probe(`${baseUrl}/v2/`), { timeoutMs: STARTUP_TIMEOUT_MS, describe: () => `docker-registry on port ${port}` });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; its log:\n${log}`);
  }
  return {
    host: `127.0.0.1:${port}`,
    baseUrl,
    tls: options.tls !== undefined,
    async countRequests(method, path) {
      // The access log is written in the order requests complete: once a fresh marker request
      // shows up, every earlier request is in the log too.
      const marker = randomUUID();
      await probe(`${baseUrl}/v2/?marker=${marker}`);
      await eventually(() => log.includes(marker), { timeoutMs: LOG_WAIT_TIMEOUT_MS, describe: () => 'the registry access log' });
      return log.split('\n').filter((line) => line.includes(`"${method} ${path} HTTP/1.1"`)).length;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** An OCI layout with one image per tag; each differs in its config, so each has its own digest. */
export async function buildImageLayout(tags: readonly string[]): Promise<{ layout: string; remove(): void }> {
  const directory = mkdtempSync(join(tmpdir(), 'ipw-layout-'));
  const layout = join(directory, 'layout');
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:base`]);
  for (const tag of tags) await run('umoci', ['config', '--image', `${layout}:base`, '--config.env', `IMAGE_TAG=${tag}`, '--tag', tag]);
  return { layout, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

export interface PushOptions {
  readonly login?: BasicLogin;
}

/** Pushes `layout:tag` to `registry/target` with skopeo; returns the manifest digest it wrote. */
export async function pushImage(registry: RunningRegistry, layout: string, tag: string, target: string, options: PushOptions = {}): Promise<string> {
  const digestDirectory = mkdtempSync(join(tmpdir(), 'ipw-digest-'));
  const digestFile = join(digestDirectory, 'digest');
  const credentials = options.login === undefined ? [] : ['--dest-creds', `${options.login.username}:${options.login.password}`];
  try {
    await run('skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', '--digestfile', digestFile, ...credentials, `oci:${layout}:${tag}`, `docker://${registry.host}/${target}`]);
    return readFileSync(digestFile, 'utf8').trim();
  } finally {
    rmSync(digestDirectory, { recursive: true, force: true });
  }
}

/** Deletes the manifest `target` points to (distribution deletes by digest, which removes the tag). */
export async function deleteImage(registry: RunningRegistry, target: string, options: PushOptions = {}): Promise<void> {
  const credentials = options.login === undefined ? [] : ['--creds', `${options.login.username}:${options.login.password}`];
  await run('skopeo', ['delete', '--tls-verify=false', ...credentials, `docker://${registry.host}/${target}`]);
}
