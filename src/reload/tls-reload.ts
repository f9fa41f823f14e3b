// The TLS files as a reload target: a validated set of certificate, key and client CA is handed
// to `apply`, which makes it the server's new secure context; every new connection then presents
// and verifies against it. Connections already open keep the context they were made with.
import { ReloadRefusedError, type Loaded, type ReloadTarget } from './reloader';
import { describeTlsMaterial, readTlsFiles, validateTlsMaterial, type TlsFileContents, type TlsFiles, type ValidatedTlsMaterial } from './tls-material';

/** Reads and validates the TLS files at startup; throws ReloadRefusedError naming the file at fault. */
export function loadTlsFiles(files: TlsFiles): Loaded<ValidatedTlsMaterial> {
  const snapshot = readTlsFiles(files);
  return { digest: snapshot.digest, value: validateTlsMaterial(files, snapshot.contents) };
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

export interface TlsReloadHooks {
  /** Puts validated material into force (the server's secure context); throwing refuses it. */
  readonly apply: (material: ValidatedTlsMaterial) => void;
  /** Hears of every set put in force (metrics). */
  readonly recordLoaded: (material: ValidatedTlsMaterial, at: Date) => void;
}

export function createTlsReloadTarget(files: TlsFiles, hooks: TlsReloadHooks): ReloadTarget<TlsFileContents, ValidatedTlsMaterial> {
  return {
    kind: 'tls',
    read: () => readTlsFiles(files),
    parse: (contents) => refuseExpiredServing(files, validateTlsMaterial(files, contents), Date.now()),
    apply: hooks.apply,
    describe: describeTlsMaterial,
    recordLoaded: hooks.recordLoaded,
  };
}
