// Public surface of the apiserver scaffolding: pure builders for the AdmissionConfiguration, the
// webhook kubeconfig, the kubeadm ClusterConfiguration fragment, the patched kube-apiserver
// manifest with its diff, and the README, plus the settings validation they share. No file system
// here; the apiserver-config command reads the PKI and the manifest and writes the files.
export { BOOTSTRAP_TRAP_HEADING, buildBootstrapTrapSection, type BootstrapTrapInput } from './bootstrap-trap';
export { ApiserverConfigError } from './errors';
export {
  ADMISSION_CONFIGURATION_API_VERSION,
  IMAGE_POLICY_PLUGIN_NAME,
  buildAdmissionConfiguration,
  type AdmissionConfigurationInput,
} from './admission-configuration';
export {
  ADMISSION_CONFIGURATION_FILE,
  APISERVER_MANIFEST_FILE,
  DEFAULT_NODE_DIR,
  KUBEADM_CONFIGURATION_FILE,
  PKI_FILES,
  README_FILE,
  SERVING_CERTIFICATE_FILE,
  WEBHOOK_KUBECONFIG_FILE,
  type CredentialLayout,
} from './files';
export { GENERATED_MARKER } from './generated-header';
export { buildApiserverWiring, type ApiserverWiring, type HostPathMount } from './apiserver-wiring';
export {
  DEFAULT_KUBEADM_API_VERSION,
  KUBEADM_API_RELEASES,
  KUBEADM_API_VERSIONS,
  buildKubeadmClusterConfiguration,
  type KubeadmApiVersion,
} from './kubeadm-config';
export { patchApiserverManifest, type ManifestPatch } from './manifest-patch';
export { formatUnifiedDiff } from './unified-diff';
export {
  KUBECONFIG_CLUSTER_NAME,
  KUBECONFIG_CONTEXT_NAME,
  KUBECONFIG_USER_NAME,
  buildWebhookKubeconfig,
  type CredentialSource,
  type WebhookKubeconfigInput,
} from './kubeconfig';
export { buildApiserverReadme, type ApiserverReadmeInput } from './readme';
export { normalizeWebhookServerUrl, type WebhookServerUrl } from './server-url';
export {
  validateImagePolicySettings,
  type DurationSetting,
  type ImagePolicySettings,
  type ImagePolicySettingsInput,
} from './settings';
