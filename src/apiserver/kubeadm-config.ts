// The kubeadm ClusterConfiguration fragment: `apiServer.extraArgs` and `apiServer.extraVolumes`
// that make kubeadm write the flags and mount into kube-apiserver's static pod on `init`, on every
// `upgrade`, and when it regenerates the manifest. v1beta3 writes extraArgs as a map, v1beta4 as a
// list of name/value pairs; the volume is the same HostPathMount in both.
import { Document, isMap, isScalar, isSeq } from 'yaml';
import { ADMISSION_CONTROL_CONFIG_FILE_FLAG, ENABLE_ADMISSION_PLUGINS_FLAG, type ApiserverWiring } from './apiserver-wiring';
import { buildYamlHeader } from './generated-header';

export const KUBEADM_API_VERSIONS = ['v1beta4', 'v1beta3'] as const;
export type KubeadmApiVersion = (typeof KUBEADM_API_VERSIONS)[number];
export const DEFAULT_KUBEADM_API_VERSION: KubeadmApiVersion = 'v1beta4';
const KUBEADM_API_GROUP = 'kubeadm.k8s.io';

/** The kubeadm releases that read each version of the configuration API. */
export const KUBEADM_API_RELEASES: Readonly<Record<KubeadmApiVersion, string>> = {
  v1beta4: 'kubeadm 1.31 and newer',
  v1beta3: 'kubeadm 1.22 to 1.35; deprecated since 1.31, removed in 1.36',
};
/** What to use instead, for the kubeadm releases the other version serves. */
const KUBEADM_API_ALTERNATIVES: Readonly<Record<KubeadmApiVersion, string>> = {
  v1beta4: 'for kubeadm 1.22 to 1.30, regenerate with --kubeadm-api v1beta3',
  v1beta3: 'for kubeadm 1.31 and newer, prefer --kubeadm-api v1beta4',
};

/** `kubeadm.k8s.io/v1beta4 (read by kubeadm 1.31 and newer; for kubeadm 1.22 to 1.30, ...)`. */
export function describeKubeadmApi(apiVersion: KubeadmApiVersion): string {
  return `${KUBEADM_API_GROUP}/${apiVersion} (read by ${KUBEADM_API_RELEASES[apiVersion]}); ${KUBEADM_API_ALTERNATIVES[apiVersion]}`;
}

interface ExtraArg {
  readonly name: string;
  readonly value: string;
}

/** kubeadm sorts extra args by name, so the fragment lists them in the order the manifest will. */
function buildExtraArgs(wiring: ApiserverWiring): ExtraArg[] {
  return [
    { name: ADMISSION_CONTROL_CONFIG_FILE_FLAG, value: wiring.admissionConfigFile },
    { name: ENABLE_ADMISSION_PLUGINS_FLAG, value: wiring.admissionPlugins.join(',') },
  ];
}

/** The `apiServer` section: extraArgs in the form `apiVersion` reads, and the one extra volume. */
export function buildKubeadmApiServer(wiring: ApiserverWiring, apiVersion: KubeadmApiVersion): Record<string, unknown> {
  const extraArgs = buildExtraArgs(wiring);
  const { name, hostPath, mountPath, readOnly, pathType } = wiring.volume;
  return {
    extraArgs: apiVersion === 'v1beta3' ? Object.fromEntries(extraArgs.map((arg) => [arg.name, arg.value])) : extraArgs,
    extraVolumes: [{ name, hostPath, mountPath, readOnly, pathType }],
  };
}

export function buildKubeadmClusterConfiguration(wiring: ApiserverWiring, apiVersion: KubeadmApiVersion): string {
  const document = new Document({
    apiVersion: `${KUBEADM_API_GROUP}/${apiVersion}`,
    kind: 'ClusterConfiguration',
    apiServer: buildKubeadmApiServer(wiring, apiVersion),
  });
  document.commentBefore = [
    buildYamlHeader("kube-apiserver's settings for kubeadm."),
    ` ${describeKubeadmApi(apiVersion)}.`,
    ' Merge `apiServer` into the ClusterConfiguration you give `kubeadm init --config`, or, on a running',
    ' cluster, into the one in the kubeadm-config ConfigMap (kube-system), so that `kubeadm upgrade` keeps it.',
  ].join('\n');
  annotatePlugins(document, ` kubeadm's default is ${wiring.admissionPlugins[0] ?? ''} and this entry replaces it: list every plugin your cluster enables`);
  return document.toString({ lineWidth: 0 });
}

/** Puts the comment above the enable-admission-plugins entry, in either extraArgs form. */
function annotatePlugins(document: Document, comment: string): void {
  const extraArgs = document.getIn(['apiServer', 'extraArgs'], true);
  if (isSeq(extraArgs)) {
    const entry = extraArgs.items.find((item) => isMap(item) && item.get('name') === ENABLE_ADMISSION_PLUGINS_FLAG);
    if (isMap(entry)) entry.commentBefore = comment;
  } else if (isMap(extraArgs)) {
    const key = extraArgs.items.find((pair) => isScalar(pair.key) && pair.key.value === ENABLE_ADMISSION_PLUGINS_FLAG)?.key;
    if (isScalar(key)) key.commentBefore = comment;
  }
}
