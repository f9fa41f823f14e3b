// The webhook URL written into the kubeconfig's `server` field. client-go POSTs to the URL's path
// (path.Join("/", path): trailing slash dropped) and silently drops a query or fragment, so both
// are refused here rather than left to surprise; https only, because the apiserver sends pod specs.
import { REVIEW_PATH } from '../imagereview';
import { ApiserverConfigError } from './errors';

export interface WebhookServerUrl {
  /** The normalized URL for the kubeconfig: `https://host[:port]/path`. */
  readonly url: string;
  /** Host name or IP address the server certificate must name in a SAN (IPv6 without brackets). */
  readonly hostname: string;
  /** The POST path kube-apiserver will use. */
  readonly path: string;
}

const HTTPS_PREFIX = /^https:\/\//i;
/** Printable ASCII without space or backslash: WHATWG URL parsing would silently strip or rewrite those. */
const PRINTABLE_ASCII = /^[\x21-\x5b\x5d-\x7e]+$/;
/** RFC 3986 path characters without percent-escapes: client-go and express must agree on the path. */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

export function normalizeWebhookServerUrl(raw: string): WebhookServerUrl {
  const problem = (rule: string): ApiserverConfigError =>
    new ApiserverConfigError([`server URL ${JSON.stringify(raw)} ${rule}`]);
  if (!PRINTABLE_ASCII.test(raw)) throw problem('must be printable ASCII without spaces, backslashes or control characters');
  if (!HTTPS_PREFIX.test(raw)) {
    throw problem('must start with https:// (kube-apiserver sends pod specs and needs mutual TLS)');
  }
  // WHATWG parsing reads `https:///x` as host "x"; the host must really follow the two slashes.
  if (/^https:\/\/[/?#]/i.test(raw)) throw problem('must name a host, as in https://127.0.0.1:8443/imagepolicy');
  if (raw.includes('?')) throw problem('must not have a query string (client-go drops it)');
  if (raw.includes('#')) throw problem('must not have a fragment (client-go drops it)');
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw problem('is not a valid URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw problem('must not carry a user name or password (the apiserver authenticates with its client certificate)');
  }
  if (!PLAIN_PATH.test(parsed.pathname)) throw problem('must have a path without percent-escapes');
  const path = normalizeReviewPath(parsed.pathname);
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `https://${parsed.host}${path}`, hostname, path };
}

/** Mirrors client-go's path.Join("/", path), and turns "no path" into the webhook's review path. */
function normalizeReviewPath(pathname: string): string {
  const joined = pathname.replace(/\/{2,}/g, '/').replace(/\/$/, '');
  // A URL without a path gets the one the server answers.
  return joined === '' ? REVIEW_PATH : joined;
}
