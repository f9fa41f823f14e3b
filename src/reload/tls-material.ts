// Reads and validates the TLS files: the serving certificate (chain), its key and the client CA
// bundle. Everything is parsed and cross-checked before use, so that a reload can refuse a broken
// or mismatched file and keep the context in force, and metrics can report each expiry date.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describeError } from '../errors';
import { digestContents, readRegularFile } from './files';
import { ReloadRefusedError, type Snapshot } from './reloader';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** Undefined only when client authentication is explicitly switched off. */
  readonly clientCaFile?: string;
}

export interface TlsFileContents {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

export interface ValidatedTlsMaterial {
  /** The serving certificate chain, re-assembled from the blocks that parsed. */
  readonly cert: string;
  readonly key: Buffer;
  /** One PEM block per CA: a bundle concatenated without newlines still loads every CA. */
  readonly clientCa?: readonly string[];
  /** The leaf certificate presented to clients. */
  readonly serving: X509Certificate;
  /** Expiry of the earliest-expiring CA in the client CA bundle. */
  readonly clientCaNotAfter?: Date;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

interface ParsedCertificates {
  readonly blocks: readonly string[];
  readonly certificates: readonly X509Certificate[];
}

function parseCertificates(flag: string, file: string, pem: Buffer): ParsedCertificates {
  const blocks = (pem.toString('latin1').match(CERTIFICATE_BLOCK) ?? []).map((block) => `${block}\n`);
  if (blocks.length === 0) throw new ReloadRefusedError([`${flag} ${file}: no PEM certificate (-----BEGIN CERTIFICATE-----) found`]);
  const certificates = blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new ReloadRefusedError([`${flag} ${file}: certificate ${index + 1} of ${blocks.length} does not parse: ${describeError(error)}`]);
    }
  });
  return { blocks, certificates };
}

function parsePrivateKey(file: string, pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new ReloadRefusedError([`--tls-key ${file}: not a usable PEM private key: ${describeError(error)}`]);
  }
}

export function readTlsFiles(files: TlsFiles): Snapshot<TlsFileContents> {
  const read = (flag: string, file: string): Buffer => {
    try {
      return readRegularFile(file);
    } catch (error) {
      throw new ReloadRefusedError([`${flag} ${describeError(error)}`]);
    }
  };
  const cert = read('--tls-cert', files.certFile);
  const key = read('--tls-key', files.keyFile);
  const clientCa = files.clientCaFile === undefined ? undefined : read('--client-ca', files.clientCaFile);
  const contents = clientCa === undefined ? { cert, key } : { cert, key, clientCa };
  return { digest: digestContents(cert, key, clientCa), contents };
}

/** Parses every file and checks that the key belongs to the certificate; throws ReloadRefusedError. */
export function validateTlsMaterial(files: TlsFiles, contents: TlsFileContents): ValidatedTlsMaterial {
  const chain = parseCertificates('--tls-cert', files.certFile, contents.cert);
  const [serving] = chain.certificates;
  const key = parsePrivateKey(files.keyFile, contents.key);
  if (serving === undefined || !serving.checkPrivateKey(key)) {
    throw new ReloadRefusedError([`--tls-key ${files.keyFile} does not belong to the certificate in --tls-cert ${files.certFile} (${serving?.subject.replace(/\n/g, ', ') ?? 'none'})`]);
  }
  const cert = chain.blocks.join('');
  let authorities: ParsedCertificates | undefined;
  if (contents.clientCa !== undefined && files.clientCaFile !== undefined) {
    authorities = parseCertificates('--client-ca', files.clientCaFile, contents.clientCa);
  }
  try {
    // OpenSSL has the last word (key types, chain order); its verdict here is what a handshake would meet.
    createSecureContext({ cert, key: contents.key, ...(authorities ? { ca: [...authorities.blocks] } : {}) });
  } catch (error) {
    throw new ReloadRefusedError([`--tls-cert ${files.certFile} / --tls-key ${files.keyFile}${files.clientCaFile ? ` / --client-ca ${files.clientCaFile}` : ''}: ${describeError(error)}`]);
  }
  if (authorities === undefined) return { cert, key: contents.key, serving };
  const clientCaNotAfter = new Date(Math.min(...authorities.certificates.map((authority) => Date.parse(authority.validTo))));
  return { cert, key: contents.key, clientCa: authorities.blocks, serving, clientCaNotAfter };
}

export function describeTlsMaterial(material: ValidatedTlsMaterial): Record<string, unknown> {
  return {
    servingFingerprint: material.serving.fingerprint256,
    servingNotAfter: new Date(material.serving.validTo).toISOString(),
    ...(material.clientCaNotAfter === undefined ? {} : { clientCaNotAfter: material.clientCaNotAfter.toISOString() }),
  };
}

/** When the material in force expires: the serving certificate, and the earliest client CA. */
export function describeTlsExpiry(material: ValidatedTlsMaterial): { readonly serving: Date; readonly clientCa?: Date } {
  const serving = new Date(material.serving.validTo);
  return material.clientCaNotAfter === undefined ? { serving } : { serving, clientCa: material.clientCaNotAfter };
}
