// File names the apiserver scaffolding writes and refers to. The PKI names are the ones `pki`
// writes (scripts and docs rely on them); the output names are what operators and docs rely on.

export const ADMISSION_CONFIGURATION_FILE = 'admission-configuration.yaml';
export const WEBHOOK_KUBECONFIG_FILE = 'imagepolicy-kubeconfig.yaml';
export const README_FILE = 'README.md';
export const KUBEADM_CONFIGURATION_FILE = 'kubeadm-cluster-configuration.yaml';
/** The name kubeadm gives kube-apiserver's static pod manifest; the patched copy keeps it. */
export const APISERVER_MANIFEST_FILE = 'kube-apiserver.yaml';

/** Where the files live on a control-plane node unless told otherwise. */
export const DEFAULT_NODE_DIR = '/etc/kubernetes/imagepolicy';

/** The three PKI files kube-apiserver needs: the CA of the serving certificate and its own client pair. */
export const PKI_FILES = {
  certificateAuthority: 'ca.crt',
  clientCertificate: 'apiserver-client.crt',
  clientKey: 'apiserver-client.key',
} as const;

/** How the kubeconfig names the PKI files. */
export type CredentialLayout =
  /** absolute paths in the node folder (the default) */
  | 'node-paths'
  /** names relative to the kubeconfig's own folder, for a folder copied together with the certificates */
  | 'relative-paths'
  /** PEM embedded as `-data` fields: one self-contained file that holds a private key */
  | 'embedded';

/** The webhook's serving certificate from `pki`; only read to warn when it cannot match the URL. */
export const SERVING_CERTIFICATE_FILE = 'server.crt';
