// `apiserver-config`: writes the AdmissionConfiguration, the webhook kubeconfig, the kubeadm
// ClusterConfiguration fragment, a README with the kube-apiserver flags and, given kube-apiserver's
// manifest, a patched copy of it. Everything is validated and rendered in memory first and nothing
// is written unless all of it succeeded; each file then goes through a temporary file and a rename.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { Command, Option } from 'commander';
import {
  ADMISSION_CONFIGURATION_FILE,
  ApiserverConfigError,
  DEFAULT_KUBEADM_API_VERSION,
  DEFAULT_NODE_DIR,
  KUBEADM_API_RELEASES,
  KUBEADM_API_VERSIONS,
  KUBEADM_CONFIGURATION_FILE,
  PKI_FILES,
  README_FILE,
  SERVING_CERTIFICATE_FILE,
  WEBHOOK_KUBECONFIG_FILE,
  buildAdmissionConfiguration,
  buildApiserverReadme,
  buildApiserverWiring,
  buildKubeadmClusterConfiguration,
  buildWebhookKubeconfig,
  normalizeWebhookServerUrl,
  validateImagePolicySettings,
  type CredentialLayout,
  type CredentialSource,
  type KubeadmApiVersion,
  type WebhookServerUrl,
} from '../apiserver';
import { describeError, errorCode } from '../errors';
import { REVIEW_PATH } from '../imagereview';
import { type PatchedManifest, findInPlaceProblems, isPatchedCopy, renderPatchedManifest, reportManifestPatch } from './apiserver-config-manifest';
import { GENERATED, type OutputFile, findOverwriteProblems, writeFiles } from './apiserver-config-output';
import { type CommandContext, type CommandIo, EXIT_SUCCESS, RefusedError } from './kit';

interface ApiserverConfigFlags {
  readonly server: string;
  readonly pkiDir: string;
  readonly out: string;
  readonly nodeDir: string;
  readonly embedCerts?: boolean;
  readonly relativePaths?: boolean;
  readonly allowTtl?: string;
  readonly denyTtl?: string;
  readonly retryBackoff?: string;
  readonly defaultAllow?: boolean;
  readonly kubeadmApi: KubeadmApiVersion;
  readonly patchManifest?: string;
  readonly force?: boolean;
}

const PUBLIC_FILE_MODE = 0o644;
const SECRET_FILE_MODE = 0o600;
/** kubeadm writes its static pod manifests 0600. */
const MANIFEST_FILE_MODE = 0o600;
const NODE_DIR_CHARACTERS = /^[A-Za-z0-9._/-]+$/;
interface RenderedConfig {
  readonly server: WebhookServerUrl;
  readonly files: readonly OutputFile[];
  readonly manifest?: PatchedManifest;
}

/** Collects every problem (URL, folders, settings, PKI files, the manifest) before failing, so one run shows them all. */
function renderFiles(io: CommandIo, flags: ApiserverConfigFlags): RenderedConfig {
  const problems: string[] = [];
  const collect = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (error) {
      if (!(error instanceof ApiserverConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const server = collect(() => normalizeWebhookServerUrl(flags.server));
  const nodeDir = path.posix.normalize(flags.nodeDir).replace(/(.)\/+$/, '$1');
  if (!path.posix.isAbsolute(nodeDir) || !NODE_DIR_CHARACTERS.test(nodeDir)) {
    problems.push(`--node-dir must be an absolute path on the control-plane node made of letters, digits, ` +
      `'.', '_', '-' and '/' (it appears unquoted in the manifest snippets), got ${JSON.stringify(flags.nodeDir)}`);
  }
  const settings = collect(() => validateImagePolicySettings({
    allowTTL: parseIntegerFlag(flags.allowTtl),
    denyTTL: parseIntegerFlag(flags.denyTtl),
    retryBackoff: parseIntegerFlag(flags.retryBackoff),
    defaultAllow: flags.defaultAllow === true,
  }));
  const layout: CredentialLayout = flags.embedCerts ? 'embedded' : flags.relativePaths ? 'relative-paths' : 'node-paths';
  const credential = (name: string): CredentialSource => {
    if (layout === 'relative-paths') return { path: name };
    if (layout === 'node-paths') return { path: path.posix.join(nodeDir, name) };
    const file = path.join(flags.pkiDir, name);
    try {
      return { data: readFileSync(file, 'utf8'), origin: file };
    } catch (error) {
      problems.push(`--embed-certs: cannot read ${file}: ${describeReadError(error)} (run \`make pki\` or pass --pki-dir)`);
      return { path: name };
    }
  };
  const kubeconfigInput = {
    server: flags.server,
    certificateAuthority: credential(PKI_FILES.certificateAuthority),
    clientCertificate: credential(PKI_FILES.clientCertificate),
    clientKey: credential(PKI_FILES.clientKey),
  };
  // The kubeconfig builder checks the PEM text read above; the URL was already reported.
  const kubeconfig = server === undefined ? undefined : collect(() => buildWebhookKubeconfig(kubeconfigInput));
  const wiring = buildApiserverWiring(nodeDir);
  const manifest = flags.patchManifest === undefined ? undefined : collect(() => renderPatchedManifest(io, flags.patchManifest ?? '', flags.out, wiring));
  if (manifest !== undefined) problems.push(...findInPlaceProblems(manifest));
  if (server === undefined || settings === undefined || kubeconfig === undefined || problems.length > 0) {
    throw new ApiserverConfigError(problems);
  }
  const files: OutputFile[] = [
    {
      name: ADMISSION_CONFIGURATION_FILE,
      text: buildAdmissionConfiguration({ kubeConfigFile: path.posix.join(nodeDir, WEBHOOK_KUBECONFIG_FILE), settings }),
      mode: PUBLIC_FILE_MODE,
      ...GENERATED,
    },
    {
      name: WEBHOOK_KUBECONFIG_FILE,
      text: kubeconfig,
      mode: layout === 'embedded' ? SECRET_FILE_MODE : PUBLIC_FILE_MODE,
      ...GENERATED,
    },
    {
      name: KUBEADM_CONFIGURATION_FILE,
      text: buildKubeadmClusterConfiguration(wiring, flags.kubeadmApi),
      mode: PUBLIC_FILE_MODE,
      ...GENERATED,
    },
    {
      name: README_FILE,
      text: buildApiserverReadme({ server, settings, nodeDir, outDir: flags.out, pkiDir: flags.pkiDir, credentials: layout, kubeadmApi: flags.kubeadmApi }),
      mode: PUBLIC_FILE_MODE,
      ...GENERATED,
    },
    ...(manifest === undefined ? [] : [{
      name: path.basename(manifest.output),
      text: manifest.patch.text,
      mode: MANIFEST_FILE_MODE,
      // The patched copy cannot carry a banner; an earlier copy (of this or another node's manifest) has the wiring.
      replaces: (existing: string) => isPatchedCopy(existing, wiring),
      refusal: 'is not a kube-apiserver manifest patched by apiserver-config',
    }]),
  ];
  return { server, files, manifest };
}

/** Digits become a number; anything else stays text so the validator can name it ("30s", "1.5"). */
function parseIntegerFlag(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

/** Warnings only: the serving certificate may legitimately live elsewhere (behind a proxy, another PKI). */
function checkServingCertificate(pkiDir: string, server: WebhookServerUrl): string[] {
  const file = path.join(pkiDir, SERVING_CERTIFICATE_FILE);
  const caFile = path.join(pkiDir, PKI_FILES.certificateAuthority);
  if (!existsSync(file)) return [`note: ${file} not found; run \`make pki\` before copying files to the node`];
  try {
    const certificate = new X509Certificate(readFileSync(file));
    const warnings: string[] = [];
    // Go's crypto/tls ignores the common name, so only subject alternative names count.
    const named = isIP(server.hostname) !== 0
      ? certificate.checkIP(server.hostname)
      : certificate.checkHost(server.hostname, { subject: 'never' });
    if (named === undefined) {
      warnings.push(`warning: ${file} does not name ${server.hostname} (its SANs: ${certificate.subjectAltName ?? 'none'}); ` +
        'kube-apiserver will refuse the TLS connection. Regenerate the certificate or use a host it names.');
    }
    if (existsSync(caFile)) {
      const ca = new X509Certificate(readFileSync(caFile));
      if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
        warnings.push(`warning: ${file} is not signed by ${caFile}; kube-apiserver trusts only ${caFile}.`);
      }
    }
    return warnings;
  } catch (error) {
    return [`warning: cannot check ${file} against the URL: ${describeError(error)}`];
  }
}

/** The PKI folder is named in the message already; ENOENT needs no more than this. */
function describeReadError(error: unknown): string {
  if (errorCode(error) === 'ENOENT') return 'no such file';
  return describeError(error);
}

function refuse(problems: readonly string[]): RefusedError {
  return new RefusedError(`nothing was written:\n${problems.map((line) => `  ${line}`).join('\n')}`);
}

function generate(io: CommandIo, flags: ApiserverConfigFlags): number {
  let rendered: RenderedConfig;
  try {
    rendered = renderFiles(io, flags);
  } catch (error) {
    if (error instanceof ApiserverConfigError) throw refuse(error.problems);
    throw error;
  }
  const { server, files, manifest } = rendered;
  const refusals = flags.force ? [] : findOverwriteProblems(flags.out, files);
  if (refusals.length > 0) throw refuse(refusals);
  const warnings = [
    ...checkServingCertificate(flags.pkiDir, server),
    ...(server.path === REVIEW_PATH ? [] : [`warning: the webhook serves reviews on ${REVIEW_PATH}; ` +
      `kube-apiserver will POST to ${server.path}, which only works behind a proxy that rewrites the path`]),
    ...(flags.defaultAllow ? ['WARNING: --default-allow: kube-apiserver will ADMIT pods unchecked whenever the webhook fails'] : []),
    ...(flags.embedCerts ? [`note: ${path.join(flags.out, WEBHOOK_KUBECONFIG_FILE)} embeds a private key (mode 0600); never commit it`] : []),
  ];
  for (const line of writeFiles(flags.out, files)) io.stdout.write(`${line}\n`);
  if (manifest !== undefined) reportManifestPatch(io, manifest);
  for (const warning of warnings) io.stderr.write(`${warning}\n`);
  io.stdout.write(`Next: follow ${path.join(flags.out, README_FILE)}, one control-plane node at a time.\n`);
  return EXIT_SUCCESS;
}

export function registerApiserverConfigCommand(program: Command, context: CommandContext): void {
  program
    .command('apiserver-config')
    .description('Write the AdmissionConfiguration, the webhook kubeconfig, the kubeadm ClusterConfiguration fragment ' +
      '(apiServer.extraArgs and extraVolumes) and a README with the exact kube-apiserver flags, mounts and rollout steps; ' +
      'with --patch-manifest, also a patched copy of kube-apiserver\'s static pod manifest and its diff. All values are ' +
      'checked against kube-apiserver\'s own rules first; nothing is written if any is wrong.')
    .requiredOption('--server <url>', `webhook URL as kube-apiserver reaches it: https only; the path is the POST path (default ${REVIEW_PATH})`)
    .option('--pki-dir <dir>', 'folder with ca.crt, apiserver-client.crt/.key and server.crt from `pki`', 'pki')
    .option('--out <dir>', 'folder to write the files into', 'apiserver-config')
    .option('--node-dir <dir>', 'absolute folder on the control-plane node where the files will live', DEFAULT_NODE_DIR)
    .option('--embed-certs', 'embed the CA, client certificate and key in the kubeconfig (`-data` fields; the file then holds a private key)')
    .addOption(new Option('--relative-paths', 'name the certificates relative to the kubeconfig\'s folder (ca.crt, ...) instead of under --node-dir')
      .conflicts('embedCerts'))
    .option('--allow-ttl <seconds>', 'how long kube-apiserver caches an allow: 1..1800, 0 = default 300, -1 = no caching')
    .option('--deny-ttl <seconds>', 'how long kube-apiserver caches a deny: 1..1800, 0 = default 30, -1 = no caching')
    .option('--retry-backoff <milliseconds>', 'first wait between retries: 1..300000, 0 = default 500, -1 = retry with no delay')
    .option('--default-allow', 'FAIL OPEN: admit pods unchecked when the webhook fails (default: fail closed)')
    .addOption(new Option('--kubeadm-api <version>', `kubeadm configuration API of ${KUBEADM_CONFIGURATION_FILE}: ` +
      KUBEADM_API_VERSIONS.map((version) => `${version} (${KUBEADM_API_RELEASES[version]})`).join(', '))
      .choices(KUBEADM_API_VERSIONS).default(DEFAULT_KUBEADM_API_VERSION))
    .option('--patch-manifest <file>', 'kube-apiserver\'s static pod manifest (/etc/kubernetes/manifests/kube-apiserver.yaml): write a copy with the flags, ' +
      'mount and volume added into --out as kube-apiserver.yaml and print the diff; the file itself is never changed')
    .option('--force', 'overwrite files in --out that were not generated by this command')
    .addHelpText('after', [
      '',
      'Generated files are regenerated freely: a file carrying the "Generated by" banner is replaced, any',
      'other file in --out is left alone unless --force is given.',
      '',
      'Examples:',
      '  image-policy-webhook apiserver-config --server https://127.0.0.1:8443/imagepolicy',
      '  image-policy-webhook apiserver-config --server https://webhook.internal:8443 --embed-certs --out /tmp/ipw',
      '  image-policy-webhook apiserver-config --server https://127.0.0.1:8443/imagepolicy --patch-manifest /etc/kubernetes/manifests/kube-apiserver.yaml',
    ].join('\n'))
    .action((flags: ApiserverConfigFlags) => context.run('apiserver-config', () => generate(context.io, flags)));
}
