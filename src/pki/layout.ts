// The PKI directory layout that `pki` writes, `pki status` checks, `serve` and `apiserver-config`
// read: one certificate and key per role, with the purpose each certificate must carry.

export type ExtendedKeyUsageName = 'serverAuth' | 'clientAuth';

export interface PkiRole {
  name: 'ca' | 'server' | 'apiserver-client';
  certificateFile: string;
  keyFile: string;
  /** The CA key may live elsewhere (an existing CA was used), so its absence is not a fault. */
  keyRequired: boolean;
  /** What a leaf must be usable for; undefined for the CA. */
  extendedKeyUsage?: ExtendedKeyUsageName;
}

export const CA_ROLE: PkiRole = { name: 'ca', certificateFile: 'ca.crt', keyFile: 'ca.key', keyRequired: false };
export const SERVER_ROLE: PkiRole = {
  name: 'server',
  certificateFile: 'server.crt',
  keyFile: 'server.key',
  keyRequired: true,
  extendedKeyUsage: 'serverAuth',
};
export const APISERVER_CLIENT_ROLE: PkiRole = {
  name: 'apiserver-client',
  certificateFile: 'apiserver-client.crt',
  keyFile: 'apiserver-client.key',
  keyRequired: true,
  extendedKeyUsage: 'clientAuth',
};
export const PKI_ROLES: readonly PkiRole[] = [CA_ROLE, SERVER_ROLE, APISERVER_CLIENT_ROLE];
