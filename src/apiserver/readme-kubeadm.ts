// The kubeadm part of the generated README: the ClusterConfiguration fragment, where it goes on a
// new and on a running cluster, and the patched manifest that applies it on each node now. kubeadm
// writes kube-apiserver's manifest again on every upgrade, so this is the main way on kubeadm.
import { Document } from 'yaml';
import type { ApiserverWiring } from './apiserver-wiring';
import { KUBEADM_CONFIGURATION_FILE, APISERVER_MANIFEST_FILE } from './files';
import { buildKubeadmApiServer, describeKubeadmApi, type KubeadmApiVersion } from './kubeadm-config';
import { fence } from './readme-rollout';

export interface KubeadmSectionInput {
  readonly wiring: ApiserverWiring;
  readonly apiVersion: KubeadmApiVersion;
  /** The output folder as the operator named it. */
  readonly outDir: string;
  readonly manifest: string;
}

/** A copy of one node's manifest, outside the manifests folder (the kubelet runs every file in it). */
const NODE_MANIFEST_COPY = 'kube-apiserver.yaml.node';
/** The folder `make apiserver-config` writes. */
const MAKE_OUT_DIR = 'apiserver-config';

export function buildKubeadmSection({ wiring, apiVersion, outDir, manifest }: KubeadmSectionInput): string {
  const snippet = new Document({ apiServer: buildKubeadmApiServer(wiring, apiVersion) }).toString({ lineWidth: 0 }).trimEnd();
  const copy = `${outDir.replace(/\/+$/, '')}/${APISERVER_MANIFEST_FILE}`;
  return [
    '## On a kubeadm cluster',
    `kubeadm writes \`${manifest}\` from its \`ClusterConfiguration\`, and writes it again on every \`kubeadm upgrade\`: ` +
      'a flag or mount added to the manifest by hand is gone after the next upgrade. On kubeadm, put them into the ' +
      `ClusterConfiguration. \`${KUBEADM_CONFIGURATION_FILE}\` holds them for ${describeKubeadmApi(apiVersion)}:`,
    fence('yaml', snippet),
    [
      '- **A new cluster**: merge `apiServer` into the ClusterConfiguration you give `kubeadm init --config`. If yours ' +
        'already sets `enable-admission-plugins`, add `ImagePolicyWebhook` to that list (kubeadm\'s default, ' +
        `\`${wiring.admissionPlugins[0] ?? ''}\`, is replaced by whatever the entry says).`,
      '- **A running cluster**: add the same to the ClusterConfiguration kubeadm keeps in the cluster, so that ' +
        '`kubeadm upgrade` writes it into every new manifest: `kubectl -n kube-system edit configmap kubeadm-config` ' +
        '(it is under `data.ClusterConfiguration`). Then make each control-plane node\'s manifest say the same, one ' +
        'node at a time (the rollout below): copy the node\'s manifest out of the manifests folder and run the ' +
        `command that wrote this folder again with \`--patch-manifest\`. It writes \`${copy}\` and prints a diff:`,
    ].join('\n'),
    fence('sh', [
      `sudo cat ${manifest} > ${NODE_MANIFEST_COPY}`,
      ...(outDir.replace(/\/+$/, '') === MAKE_OUT_DIR
        ? [`make apiserver-config APISERVER_CONFIG_FLAGS='--patch-manifest ${NODE_MANIFEST_COPY}'   # plus the flags you gave it before`]
        : [`npx image-policy-webhook apiserver-config <the flags you gave it before> --patch-manifest ${NODE_MANIFEST_COPY}`]),
    ].join('\n')),
    `The copy is what kubeadm itself would write for the same settings: \`--admission-control-config-file\` at its ` +
      'place in kubeadm\'s sorted flags, `ImagePolicyWebhook` appended once to the plugins the manifest already enables, ' +
      `and the \`${wiring.volume.name}\` mount and volume at their place in its sorted lists. The file read is never ` +
      'changed, and a manifest that already has all of it comes out the same. The command refuses, naming the reason, ' +
      'a manifest it would have to guess at: another `--admission-control-config-file` (merge the plugin entry of ' +
      '`admission-configuration.yaml` into that file instead), `ImagePolicyWebhook` under ' +
      '`--disable-admission-plugins`, or a different volume of the same name.',
  ].join('\n\n');
}
