// Registry credentials from a docker config.json subset: `{"auths": {"HOST": {"auth":
// base64("user:password")} or {"username": ..., "password": ...}}}`, the file `docker login`
// and `kubectl create secret docker-registry` already produce. Keys are folded the way docker
// does (scheme and path dropped, Docker Hub's aliases to docker.io); messages never quote a secret.
import { checkRegistry } from '../reference';
import { locateField, locateSyntaxError } from '../json-location';
import { describeError } from '../errors';
import { CredentialsFileError } from './errors';

export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Path = readonly (string | number)[];

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `https://index.docker.io/v1/` -> `docker.io`; `registry.example.com:5000` stays; undefined if not a host. */
export function normalizeCredentialKey(key: string): string | undefined {
  const withoutScheme = key.replace(/^[a-z]+:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  // Lower-cased first: docker writes keys in any case, and the reference module folds every
  // Docker Hub host name into docker.io, exactly as it does for images.
  const host = (slash < 0 ? withoutScheme : withoutScheme.slice(0, slash)).toLowerCase();
  const checked = checkRegistry(host);
  return checked.ok ? checked.value : undefined;
}

function decodeAuth(encoded: string): RegistryCredential | undefined {
  if (!BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SHOWN_KEY = 100;

/** `auths["registry.example.com"].auth`, the way the author would point at the entry. */
function formatPath(path: Path): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      if (IDENTIFIER.test(key)) return index === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key.slice(0, MAX_SHOWN_KEY))}]`;
    })
    .join('');
}

function readCredential(entry: unknown, path: Path, fail: (path: Path, rule: string) => never): RegistryCredential {
  if (!isObject(entry)) return fail(path, 'must be an object with "auth", or "username" and "password"');
  const { auth, username, password, identitytoken } = entry;
  if (typeof auth === 'string' && auth !== '') {
    return decodeAuth(auth) ?? fail([...path, 'auth'], 'must be base64 of "user:password" (the value is not shown)');
  }
  if (typeof username === 'string' && username !== '' && typeof password === 'string') return { username, password };
  if (identitytoken !== undefined) {
    return fail([...path, 'identitytoken'], 'identity tokens (OAuth2 refresh tokens) are not supported; give "auth", or "username" and "password"');
  }
  return fail(path, 'needs "auth" (base64 of "user:password"), or "username" and "password"');
}

/** Parses the file's text; throws CredentialsFileError naming file, line:col and the entry. */
export function parseCredentialsFile(text: string, source: string): ReadonlyMap<string, RegistryCredential> {
  const fail = (path: Path, rule: string): never => {
    const location = locateField(text, path);
    throw new CredentialsFileError(`${source}:${location.line}:${location.column}: ${formatPath(path)}: ${rule}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = describeError(error);
    const location = locateSyntaxError(text, message);
    // JSON.parse quotes the text around the fault, which may be a password: only the place is shown.
    throw new CredentialsFileError(`${source}:${location.line}:${location.column}: not JSON`);
  }
  const auths = isObject(document) ? document['auths'] : undefined;
  if (!isObject(auths)) return fail(['auths'], 'must be an object mapping registry hosts to {"auth": base64("user:password")}');
  const credentials = new Map<string, RegistryCredential>();
  for (const [key, entry] of Object.entries(auths)) {
    const host = normalizeCredentialKey(key) ?? fail(['auths', key], 'is not a registry host[:port]');
    credentials.set(host, readCredential(entry, ['auths', key], fail));
  }
  return credentials;
}
