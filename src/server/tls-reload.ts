// The TLS files as a reload target: a validated set of certificate, key and client CA becomes the
// server's new secure context, which every new connection then presents and verifies against.
// Connections already open keep the context they were made with.
import type https from 'node:https';
import type { WebhookMetrics } from './metrics';
import type { Loaded, ReloadTarget } from './reloader';
import { buildSecureContextOptions } from './tls';
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

export function createTlsReloadTarget(files: TlsFiles, server: https.Server, metrics: WebhookMetrics): ReloadTarget<TlsFileContents, ValidatedTlsMaterial> {
  return {
    kind: 'tls',
    read: () => readTlsFiles(files),
    parse: (contents) => validateTlsMaterial(files, contents),
    apply: (material) => server.setSecureContext(buildSecureContextOptions(material)),
    describe: describeTlsMaterial,
    recordLoaded: (material, at) => recordTlsLoaded(metrics, material, at),
  };
}
