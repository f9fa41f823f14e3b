// The one place that loads @peculiar/x509: reflect-metadata must be imported before it (it uses
// tsyringe decorators), and the library needs Node's WebCrypto as its provider. Every other
// module in pki/ imports the library from here so the load order cannot be got wrong.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509, webcrypto };
