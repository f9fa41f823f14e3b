// What kube-apiserver needs to run the ImagePolicyWebhook plugin with these files, said once: the
// two flags and the read-only hostPath mount of the node folder. The README, the kubeadm
// ClusterConfiguration fragment and the manifest patch all render this one value.
import { IMAGE_POLICY_PLUGIN_NAME } from './admission-configuration';
import { ADMISSION_CONFIGURATION_FILE } from './files';

export const ENABLE_ADMISSION_PLUGINS_FLAG = 'enable-admission-plugins';
export const ADMISSION_CONTROL_CONFIG_FILE_FLAG = 'admission-control-config-file';
/** kubeadm's own --enable-admission-plugins value; a kubeadm extraArgs entry replaces it, so ours repeats it. */
export const KUBEADM_DEFAULT_ADMISSION_PLUGINS: readonly string[] = ['NodeRestriction'];
export const IMAGE_POLICY_VOLUME_NAME = 'imagepolicy';
/** The hostPath type kubeadm gives the folders it mounts into its control-plane pods. */
export const DIRECTORY_HOST_PATH_TYPE = 'DirectoryOrCreate';

/** A hostPath volume and its mount, in the fields of kubeadm's HostPathMount. */
export interface HostPathMount {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly pathType: string;
}

export interface ApiserverWiring {
  /** The plugins for --enable-admission-plugins on a kubeadm node: kubeadm's default, then ours. */
  readonly admissionPlugins: readonly string[];
  /** The value of --admission-control-config-file. */
  readonly admissionConfigFile: string;
  /** The node folder with the admission config, the kubeconfig and the certificates it names. */
  readonly volume: HostPathMount;
}

/** `nodeDir` is absolute and normalized (no trailing slash), as the apiserver-config command checks. */
export function buildApiserverWiring(nodeDir: string): ApiserverWiring {
  return {
    admissionPlugins: [...KUBEADM_DEFAULT_ADMISSION_PLUGINS, IMAGE_POLICY_PLUGIN_NAME],
    admissionConfigFile: `${nodeDir === '/' ? '' : nodeDir}/${ADMISSION_CONFIGURATION_FILE}`,
    volume: {
      name: IMAGE_POLICY_VOLUME_NAME,
      hostPath: nodeDir,
      mountPath: nodeDir,
      readOnly: true,
      pathType: DIRECTORY_HOST_PATH_TYPE,
    },
  };
}
