// The kubeconfig kube-apiserver loads (imagePolicy.kubeConfigFile) to reach the webhook. It is read
// with client-go's clientcmd exactly as kubectl reads one: current-context is required, relative
// paths resolve against the kubeconfig's own folder, and the `-data` forms hold base64 PEM.
import { Document } from 'yaml';
import { ApiserverConfigError, describeValue, throwIfProblems } from './errors';
import { buildYamlHeader } from './generated-header';
import { normalizeWebhookServerUrl } from './server-url';

export const KUBECONFIG_CLUSTER_NAME = 'image-policy-webhook';
export const KUBECONFIG_USER_NAME = 'kube-apiserver';
export const KUBECONFIG_CONTEXT_NAME = 'image-policy-webhook';

/** A file the kubeconfig names (absolute, or relative to the kubeconfig's folder) or PEM text to embed. */
export type CredentialSource =
  | { readonly path: string }
  | { readonly data: string; /** where the PEM came from, for error messages */ readonly origin?: string };

export interface WebhookKubeconfigInput {
  readonly server: string;
  readonly certificateAuthority: CredentialSource;
  readonly clientCertificate: CredentialSource;
  readonly clientKey: CredentialSource;
}

type PemKind = 'certificate' | 'private key';

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
// client-go has no passphrase prompt, so an encrypted key (BEGIN ENCRYPTED PRIVATE KEY) cannot work.
const PRIVATE_KEY_PEM = /-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (RSA |EC )?PRIVATE KEY-----/;
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

interface CredentialField {
  readonly input: keyof Omit<WebhookKubeconfigInput, 'server'>;
  readonly key: string;
  readonly pem: PemKind;
}

const CA_FIELD: CredentialField = { input: 'certificateAuthority', key: 'certificate-authority', pem: 'certificate' };
const CLIENT_CERTIFICATE_FIELD: CredentialField = {
  input: 'clientCertificate', key: 'client-certificate', pem: 'certificate',
};
const CLIENT_KEY_FIELD: CredentialField = { input: 'clientKey', key: 'client-key', pem: 'private key' };

export function buildWebhookKubeconfig(input: WebhookKubeconfigInput): string {
  const problems: string[] = [];
  let server = '';
  try {
    server = normalizeWebhookServerUrl(input.server).url;
  } catch (error) {
    if (!(error instanceof ApiserverConfigError)) throw error;
    problems.push(...error.problems);
  }
  const [caKey, caValue] = renderCredential(CA_FIELD, input.certificateAuthority, problems);
  const [certKey, certValue] = renderCredential(CLIENT_CERTIFICATE_FIELD, input.clientCertificate, problems);
  const [keyKey, keyValue] = renderCredential(CLIENT_KEY_FIELD, input.clientKey, problems);
  throwIfProblems(problems);

  const document = new Document({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: KUBECONFIG_CLUSTER_NAME, cluster: { server, [caKey]: caValue } }],
    users: [{ name: KUBECONFIG_USER_NAME, user: { [certKey]: certValue, [keyKey]: keyValue } }],
    contexts: [{
      name: KUBECONFIG_CONTEXT_NAME,
      context: { cluster: KUBECONFIG_CLUSTER_NAME, user: KUBECONFIG_USER_NAME },
    }],
    // clientcmd refuses a named cluster and user without a current context: never optional here.
    'current-context': KUBECONFIG_CONTEXT_NAME,
  });
  document.commentBefore = buildYamlHeader('how kube-apiserver reaches the webhook (imagePolicy.kubeConfigFile).') +
    '\n Relative paths below resolve against the folder of this file; the server URL\'s path is the POST path.';
  return document.toString({ lineWidth: 0 });
}

/** Returns the kubeconfig key and value: the path as given, or base64 of the PEM under `<key>-data`. */
function renderCredential(field: CredentialField, source: CredentialSource, problems: string[]): [string, string] {
  if ('path' in source) {
    if (source.path === '' || CONTROL_CHARACTER.test(source.path)) {
      problems.push(`${field.input} path must be a non-empty file name without control characters, ` +
        `got ${describeValue(source.path)}`);
    }
    return [field.key, source.path];
  }
  const pattern = field.pem === 'certificate' ? CERTIFICATE_PEM : PRIVATE_KEY_PEM;
  if (!pattern.test(source.data)) {
    const origin = source.origin === undefined ? '' : ` (${source.origin})`;
    const firstLine = source.data.trimStart().split('\n', 1)[0] ?? '';
    problems.push(`${field.input} data${origin} must be a PEM ${field.pem}` +
      `${field.pem === 'private key' ? ' without a passphrase' : ''}, got text starting with ` +
      `${describeValue(firstLine.slice(0, 40))}`);
  }
  return [`${field.key}-data`, Buffer.from(source.data, 'utf8').toString('base64')];
}
