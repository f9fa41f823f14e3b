// The PKI directory layout that `pki` writes, `pki status` checks, `serve` and `apiserver-config`
// read: one certificate and key per role, with the purpose each certificate must carry, who reads
// each key, and which files the webhook itself opens.

export type ExtendedKeyUsageName = 'serverAuth' | 'clientAuth';

export interface PkiRole {
  name: 'ca' | 'server' | 'apiserver-client';
  certificateFile: string;
  keyFile: string;
  /** The CA key may live elsewhere (an existing CA was used), so its absence is not a fault. */
  keyRequired: boolean;
  /**
   * The certificate and key may be absent together: on a node the webhook runs on, the
   * apiserver-client pair is kube-apiserver's, and its copy may live in kube-apiserver's folder.
   */
  optionalPair: boolean;
  /**
   * Whether the key's group may read it. A service that runs under its own user reads its key
   * through the group (the deploy files install the serving key root:65532 0640), so advice never
   * takes that away; the CA key is read by `pki` alone.
   */
  keyGroupReadable: boolean;
  /** Files `serve` opens (--client-ca, --tls-cert, --tls-key), which the webhook's user must read. */
  readByWebhook: { certificate: boolean; key: boolean };
  /** What a leaf must be usable for; undefined for the CA. */
  extendedKeyUsage?: ExtendedKeyUsageName;
}

export const CA_ROLE: PkiRole = {
  name: 'ca',
  certificateFile: 'ca.crt',
  keyFile: 'ca.key',
  keyRequired: false,
  optionalPair: false,
  keyGroupReadable: false,
  readByWebhook: { certificate: true, key: false },
};
export const SERVER_ROLE: PkiRole = {
  name: 'server',
  certificateFile: 'server.crt',
  keyFile: 'server.key',
  keyRequired: true,
  optionalPair: false,
  keyGroupReadable: true,
  readByWebhook: { certificate: true, key: true },
  extendedKeyUsage: 'serverAuth',
};
export const APISERVER_CLIENT_ROLE: PkiRole = {
  name: 'apiserver-client',
  certificateFile: 'apiserver-client.crt',
  keyFile: 'apiserver-client.key',
  keyRequired: true,
  optionalPair: true,
  keyGroupReadable: true,
  readByWebhook: { certificate: false, key: false },
  extendedKeyUsage: 'clientAuth',
};
export const PKI_ROLES: readonly PkiRole[] = [CA_ROLE, SERVER_ROLE, APISERVER_CLIENT_ROLE];
