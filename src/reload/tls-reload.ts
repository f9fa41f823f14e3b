// The TLS files as a reload target: a validated set of certificate, key and client CA becomes the
// server's new secure context, which every new connection then presents and verifies against.
// Connections already open keep the context they were made with.
import type https from 'node:https';
import type { WebhookMetrics } from '../server/metrics';
import { ReloadRefusedError, type Loaded, type ReloadTarget } from './reloader';
import { buildSecureContextOptions } from '../server/tls';
import { describeTlsMaterial, readTlsFiles, validateTlsMaterial, type TlsFileContents, type TlsFiles, type ValidatedTlsMaterial } from './tls-material';

/** Reads and validates the TLS files at startup; throws ReloadRefusedError naming the file at fault. */
export function loadTlsFiles(files: TlsFiles): Loaded<ValidatedTlsMaterial> {
  const snapshot = readTlsFiles(files);
  return { digest: snapshot.digest, value: validateTlsMaterial(files, snapshot.contents) };
}

export function recordTlsLoaded(metrics: WebhookMetrics, material: ValidatedTlsMaterial, at: Date): void {
  const serving = new Date(material.serving.validTo);
  metrics.recordTlsLoaded(material.clientCaNotAfter === undefined ? { serving } : { serving, clientCa: material.clientCaNotAfter }, at);
}

/**
 * On reload only: an expired serving certificate would fail every new handshake while the one in
 * force may still be good, and it can never become valid, so it is refused. (At startup there is
 * nothing better to keep; readiness reports it instead.)
 */
export function refuseExpiredServing(files: TlsFiles, material: ValidatedTlsMaterial, now: number): ValidatedTlsMaterial {
  const notAfter = Date.parse(material.serving.validTo);
  if (notAfter < now) {
    throw new ReloadRefusedError([`--tls-cert ${files.certFile}: the certificate expired at ${new Date(notAfter).toISOString()}; kube-apiserver would refuse every new connection`]);
  }
  return material;
}

export function createTlsReloadTarget(files: TlsFiles, server: https.Server, metrics: WebhookMetrics): ReloadTarget<TlsFileContents, ValidatedTlsMaterial> {
  return {
    kind: 'tls',
    read: () => readTlsFiles(files),
    parse: (contents) => refuseExpiredServing(files, validateTlsMaterial(files, contents), Date.now()),
    apply: (material) => server.setSecureContext(buildSecureContextOptions(material)),
    describe: describeTlsMaterial,
    recordLoaded: (material, at) => recordTlsLoaded(metrics, material, at),
  };
}
