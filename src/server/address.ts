// Parses the HOST:PORT listen flags, including bracketed IPv6 hosts such as [::1]:8443.

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export class InvalidListenAddressError extends Error {
  override readonly name = 'InvalidListenAddressError';
}

const LISTEN_ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;
const MAX_PORT = 65535;

export function parseListenAddress(flag: string, value: string): ListenAddress {
  const match = LISTEN_ADDRESS.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > MAX_PORT) {
    throw new InvalidListenAddressError(`${flag} must be HOST:PORT (for example 0.0.0.0:8443 or [::1]:8443), got ${JSON.stringify(value)}`);
  }
  return { host: match[1] ?? match[2] ?? '', port };
}
