// The registry part of a reference: deciding whether the first path component names a
// registry (distribution's splitDockerDomain rule), validating it, and writing it in one
// canonical form, so that every spelling that reaches one registry compares equal:
//
//   spelling                                             canonical
//   docker.io, index.docker.io, registry-1.docker.io,    docker.io
//   registry.docker.io, registry.hub.docker.com,
//   each also with :443
//   Registry.Example.COM:5000                            registry.example.com:5000
//   [2001:0DB8:0:0:0:0:0:1]                              [2001:db8::1]
//   [::ffff:a00:1], [0:0:0:0:0:ffff:a00:1]               10.0.0.1
//
// Spellings with no single reading are refused: upper-case Docker Hub hosts (a runtime maps only
// the exact string docker.io to Docker Hub), and IPv4 addresses in octal, hexadecimal, shortened or
// integer form (ipv4.ts).
import { findIPv4Fault } from './ipv4';
import { canonicalizeIPv6 } from './ipv6';
import { ANCHORED_DOMAIN_NAME, ANCHORED_PORT } from './grammar';
import { type Checked, quoteForMessage } from './errors';

export const DEFAULT_REGISTRY = 'docker.io';
/** Docker Hub's historical name ("the Docker Index"), still written in old manifests. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** Every host name that serves Docker Hub's registry; each is read as DEFAULT_REGISTRY. */
export const DOCKER_HUB_HOSTS: readonly string[] = Object.freeze([
  DEFAULT_REGISTRY,
  LEGACY_DEFAULT_REGISTRY,
  'registry-1.docker.io',
  'registry.docker.io',
  'registry.hub.docker.com',
]);
/** Docker Hub is HTTPS only: its hosts with this port are the same registry. */
export const HTTPS_PORT = '443';
/** The one single-label host that is always a registry, never a Docker Hub namespace. */
const LOCALHOST = 'localhost';
const MAX_PORT = 65535;
const PORT_RULE = 'must be a number from 1 to 65535 without leading zeros';

/**
 * True when the first slash-separated component names a registry: it contains "." or ":",
 * is "localhost", or opens an IPv6 literal. Distribution also treats an upper-case component
 * (`Foo/bar`) as a registry; we do not, so such input fails as an upper-case path instead of
 * turning into a host that prints as `foo/bar` and re-parses as Docker Hub.
 */
export function isRegistryComponent(firstComponent: string): boolean {
  return (
    firstComponent.includes('.') ||
    firstComponent.includes(':') ||
    firstComponent === LOCALHOST ||
    firstComponent.startsWith('[')
  );
}

function checkPort(port: string): Checked<string> {
  const valid = ANCHORED_PORT.test(port) && !port.startsWith('0') && port.length <= 5 && Number(port) <= MAX_PORT;
  // A port with leading zeros dials the same socket under a different name, which would let an
  // image slip past a deny entry that names the port.
  if (!valid) return { ok: false, fault: `registry port ${quoteForMessage(port)} ${PORT_RULE}` };
  return { ok: true, value: port };
}

function splitHostAndPort(registry: string): Checked<{ host: string; port: string | undefined }> {
  if (registry.startsWith('[')) {
    const close = registry.indexOf(']');
    if (close < 0) return { ok: false, fault: `registry host ${quoteForMessage(registry)} is missing the closing "]"` };
    const rest = registry.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) {
      return { ok: false, fault: `registry ${quoteForMessage(registry)} must be "[" IPv6 address "]" with an optional ":" port` };
    }
    return { ok: true, value: { host: registry.slice(0, close + 1), port: rest === '' ? undefined : rest.slice(1) } };
  }
  const colon = registry.indexOf(':');
  if (colon < 0) return { ok: true, value: { host: registry, port: undefined } };
  return { ok: true, value: { host: registry.slice(0, colon), port: registry.slice(colon + 1) } };
}

function checkHost(host: string): Checked<string> {
  if (host.startsWith('[')) {
    const address = canonicalizeIPv6(host.slice(1, -1));
    if (address === undefined) return { ok: false, fault: `registry host ${quoteForMessage(host)} is not a valid IPv6 address` };
    return { ok: true, value: address.family === 4 ? address.text : `[${address.text}]` };
  }
  if (!ANCHORED_DOMAIN_NAME.test(host)) {
    return {
      ok: false,
      fault: `registry host ${quoteForMessage(host)} must be dot-separated labels of letters, digits and inner dashes`,
    };
  }
  const addressFault = findIPv4Fault(host);
  if (addressFault !== undefined) return { ok: false, fault: `registry host ${quoteForMessage(host)} ${addressFault}` };
  const lower = host.toLowerCase();
  if (lower !== host && DOCKER_HUB_HOSTS.includes(lower)) {
    return {
      ok: false,
      fault: `registry host ${quoteForMessage(host)} must be written in lower case: a runtime maps only the exact string "${lower}" to Docker Hub`,
    };
  }
  return { ok: true, value: lower };
}

const IPV6_LOOPBACK = '[::1]';
const IPV4_LOOPBACK_PREFIX = '127.';

/** The host of a canonical registry, without its port. */
export function registryHost(registry: string): string {
  const portColon = registry.startsWith('[') ? registry.indexOf(':', registry.indexOf(']')) : registry.indexOf(':');
  return portColon < 0 ? registry : registry.slice(0, portColon);
}

/** True for a canonical registry on this machine's loopback: localhost, 127.0.0.0/8 or [::1]. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHost(registry);
  return host === LOCALHOST || host === IPV6_LOOPBACK || host.startsWith(IPV4_LOOPBACK_PREFIX);
}

/**
 * Validates a registry (`host[:port]`) and returns its canonical form: host lower-cased, IPv6 in
 * RFC 5952 form, IPv4-mapped IPv6 as dotted IPv4, every Docker Hub host (with or without :443)
 * as `docker.io`.
 */
export function checkRegistry(registry: string): Checked<string> {
  const split = splitHostAndPort(registry);
  if (!split.ok) return split;
  const host = checkHost(split.value.host);
  if (!host.ok) return host;
  const port = split.value.port === undefined ? undefined : checkPort(split.value.port);
  if (port !== undefined && !port.ok) return port;
  const portValue = port?.value;
  if (DOCKER_HUB_HOSTS.includes(host.value) && (portValue === undefined || portValue === HTTPS_PORT)) return { ok: true, value: DEFAULT_REGISTRY };
  return { ok: true, value: portValue === undefined ? host.value : `${host.value}:${portValue}` };
}
