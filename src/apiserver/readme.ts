// The README written beside the generated files: what goes where on a control-plane node, what
// each setting means, the traps (fail closed needs a running, permissive-enough webhook first),
// and the kube-apiserver flags, mounts and rollout (readme-rollout.ts). Pure text from values.
import { buildApiserverWiring } from './apiserver-wiring';
import { buildBootstrapTrapSection } from './bootstrap-trap';
import {
  ADMISSION_CONFIGURATION_FILE,
  KUBEADM_CONFIGURATION_FILE,
  PKI_FILES,
  WEBHOOK_KUBECONFIG_FILE,
  type CredentialLayout,
} from './files';
import type { KubeadmApiVersion } from './kubeadm-config';
import { buildKubeadmSection } from './readme-kubeadm';
import { APISERVER_MANIFEST, buildPreflightSections, buildRolloutSections, type NodeFiles, type RolloutInput } from './readme-rollout';
import { GENERATED_MARKER, REGENERATE_HINT } from './generated-header';
import type { WebhookServerUrl } from './server-url';
import type { ImagePolicySettings } from './settings';

export interface ApiserverReadmeInput {
  readonly server: WebhookServerUrl;
  readonly settings: ImagePolicySettings;
  /** Absolute folder on the control-plane node that holds the files. */
  readonly nodeDir: string;
  /** Output and PKI folders as the operator named them, for the copy commands. */
  readonly outDir: string;
  readonly pkiDir: string;
  readonly credentials: CredentialLayout;
  readonly kubeadmApi: KubeadmApiVersion;
}

const SHELL_SAFE = /^[A-Za-z0-9_./:=@%+-]+$/;

export function buildApiserverReadme(input: ApiserverReadmeInput): string {
  const nodeDir = input.nodeDir.replace(/\/+$/, '') || '/';
  const files: NodeFiles = {
    nodeDir,
    admissionConfiguration: joinPath(nodeDir, ADMISSION_CONFIGURATION_FILE),
    kubeconfig: joinPath(nodeDir, WEBHOOK_KUBECONFIG_FILE),
  };
  const wiring = buildApiserverWiring(nodeDir);
  const rollout: RolloutInput = { files, wiring, server: input.server, installCommands: buildInstallCommands(input, files), outDir: input.outDir };
  const sections = [
    `<!-- ${GENERATED_MARKER}. ${REGENERATE_HINT} -->`,
    '# Wiring image-policy-webhook into kube-apiserver',
    `kube-apiserver's built-in \`ImagePolicyWebhook\` admission plugin will send every pod create and update ` +
      `(and every \`kubectl debug\` ephemeral container) to the webhook at \`${input.server.url}\` and admit or ` +
      'reject the pod by its answer. This folder holds what kube-apiserver needs for that; the steps below ' +
      'wire it in one control-plane node at a time.',
    ...(input.settings.defaultAllow ? [buildFailOpenWarning()] : []),
    buildFilesSection(input, files),
    buildSettingsSection(input.settings),
    buildBootstrapTrapSection(input),
    ...buildPreflightSections(rollout),
    buildKubeadmSection({ wiring, apiVersion: input.kubeadmApi, outDir: input.outDir, manifest: APISERVER_MANIFEST }),
    ...buildRolloutSections(rollout),
  ];
  return `${sections.join('\n\n')}\n`;
}

function buildFailOpenWarning(): string {
  return [
    '> [!WARNING]',
    '> **`defaultAllow: true` — this configuration FAILS OPEN.** Whenever the webhook is down, unreachable,',
    '> slower than 30 s, presents a certificate kube-apiserver does not trust, or answers with an HTTP error,',
    '> kube-apiserver **admits the pod without checking any image**. Anyone able to crash, flood or cut off',
    '> the webhook bypasses the policy. The only trace is the audit annotation',
    '> `imagepolicywebhook.image-policy.k8s.io/failed-open: "true"`. Regenerate without `--default-allow`',
    '> unless you have decided that availability beats the policy, and alert on that audit annotation.',
  ].join('\n');
}

function buildFilesSection(input: ApiserverReadmeInput, files: NodeFiles): string {
  const rows = [
    `| \`${ADMISSION_CONFIGURATION_FILE}\` | \`${files.admissionConfiguration}\` | the \`AdmissionConfiguration\` ` +
      'for `--admission-control-config-file` |',
    `| \`${WEBHOOK_KUBECONFIG_FILE}\` | \`${files.kubeconfig}\` | how kube-apiserver reaches the webhook: URL, ` +
      `CA, client certificate${input.credentials === 'embedded' ? ' and key, embedded' : ''} |`,
  ];
  if (input.credentials !== 'embedded') {
    const pki = (name: string): string => `\`${joinPath(input.pkiDir, name)}\``;
    rows.push(
      `| ${pki(PKI_FILES.certificateAuthority)} | \`${joinPath(files.nodeDir, PKI_FILES.certificateAuthority)}\` | ` +
        'the CA that signed the webhook\'s serving certificate |',
      `| ${pki(PKI_FILES.clientCertificate)}, ${pki(PKI_FILES.clientKey)} | \`${files.nodeDir}/\` | ` +
        'kube-apiserver\'s client certificate and key for mutual TLS |',
    );
  }
  const notes = {
    'node-paths': `The kubeconfig names the certificates by their absolute paths in \`${files.nodeDir}\`.`,
    'relative-paths': 'The kubeconfig names the certificates relative to its own folder (client-go resolves ' +
      'them there), so they must sit beside it wherever the folder is copied.',
    embedded: `The kubeconfig embeds the CA, the client certificate **and the private key**: keep it at mode ` +
      '0600 and never commit it to version control.',
  };
  return [
    '## Files',
    `Every control-plane node needs these files in \`${files.nodeDir}\`:`,
    ['| file | on the node | what it is |', '|---|---|---|', ...rows].join('\n'),
    notes[input.credentials],
    `\`${KUBEADM_CONFIGURATION_FILE}\` is not copied to the node: it goes into kubeadm's ClusterConfiguration ` +
      '([below](#on-a-kubeadm-cluster)).',
  ].join('\n\n');
}

function buildSettingsSection(settings: ImagePolicySettings): string {
  const row = (field: string, value: string, meaning: string): string => `| \`${field}\` | \`${value}\` | ${meaning} |`;
  return [
    '## Settings in effect',
    'kube-apiserver reads these once, at startup; changing them means restarting it (edit and roll out again).',
    [
      '| setting | value | what it does |',
      '|---|---|---|',
      row('allowTTL', String(settings.allowTTL.configValue), settings.allowTTL.explanation),
      row('denyTTL', String(settings.denyTTL.configValue), settings.denyTTL.explanation),
      row('retryBackoff', String(settings.retryBackoff.configValue), settings.retryBackoff.explanation),
      row('defaultAllow', String(settings.defaultAllow), settings.defaultAllowExplanation),
    ].join('\n'),
    'Each request to the webhook has a fixed 30 s timeout that no setting changes. Cached answers are ' +
      'per kube-apiserver process and lost on restart, so the webhook does not see every pod.',
  ].join('\n\n');
}

function buildInstallCommands(input: ApiserverReadmeInput, files: NodeFiles): string {
  const source = (dir: string, name: string): string => shellQuote(joinPath(dir, name));
  const target = shellQuote(`${files.nodeDir}/`);
  const lines = [
    `sudo install -d -m 0755 ${shellQuote(files.nodeDir)}`,
    `sudo install -m 0644 ${source(input.outDir, ADMISSION_CONFIGURATION_FILE)} ${target}`,
    `sudo install -m 0600 ${source(input.outDir, WEBHOOK_KUBECONFIG_FILE)} ${target}`,
  ];
  if (input.credentials !== 'embedded') {
    lines.push(
      `sudo install -m 0644 ${source(input.pkiDir, PKI_FILES.certificateAuthority)} ` +
        `${source(input.pkiDir, PKI_FILES.clientCertificate)} ${target}`,
      `sudo install -m 0600 ${source(input.pkiDir, PKI_FILES.clientKey)} ${target}`,
    );
  }
  return lines.join('\n');
}

function joinPath(dir: string, name: string): string {
  return dir === '' || dir === '.' ? name : `${dir.replace(/\/+$/, '')}/${name}`;
}

function shellQuote(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
