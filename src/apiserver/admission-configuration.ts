// The AdmissionConfiguration given to kube-apiserver's --admission-control-config-file, with the
// ImagePolicyWebhook settings embedded (the only config shape upstream accepts besides the legacy
// whole-file form). Numbers are written spelled out, with their unit beside them.
import { Document, Scalar } from 'yaml';
import { ApiserverConfigError, describeValue } from './errors';
import { buildYamlHeader } from './generated-header';
import type { DurationSetting, ImagePolicySettings } from './settings';

export const ADMISSION_CONFIGURATION_API_VERSION = 'apiserver.config.k8s.io/v1';
export const IMAGE_POLICY_PLUGIN_NAME = 'ImagePolicyWebhook';

export interface AdmissionConfigurationInput {
  /** Where the webhook kubeconfig lives on the control-plane node. */
  readonly kubeConfigFile: string;
  readonly settings: ImagePolicySettings;
}

const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

export function buildAdmissionConfiguration({ kubeConfigFile, settings }: AdmissionConfigurationInput): string {
  // kube-apiserver does not rewrite kubeConfigFile: a relative path resolves against its working
  // directory (usually /), and an empty one falls back to $KUBECONFIG or in-cluster config.
  if (!kubeConfigFile.startsWith('/') || CONTROL_CHARACTER.test(kubeConfigFile)) {
    throw new ApiserverConfigError([
      `kubeConfigFile must be an absolute path on the control-plane node (kube-apiserver resolves a relative ` +
      `one against its own working directory), got ${describeValue(kubeConfigFile)}`,
    ]);
  }
  const imagePolicy = {
    kubeConfigFile,
    allowTTL: settings.allowTTL.configValue,
    denyTTL: settings.denyTTL.configValue,
    retryBackoff: settings.retryBackoff.configValue,
    defaultAllow: settings.defaultAllow,
  };
  const document = new Document({
    apiVersion: ADMISSION_CONFIGURATION_API_VERSION,
    kind: 'AdmissionConfiguration',
    plugins: [{ name: IMAGE_POLICY_PLUGIN_NAME, configuration: { imagePolicy } }],
  });
  document.commentBefore = buildYamlHeader('the file for --admission-control-config-file.');
  const path = ['plugins', 0, 'configuration', 'imagePolicy'];
  annotate(document, [...path, 'allowTTL'], describeUnit(settings.allowTTL, 'how long an allow is cached'));
  annotate(document, [...path, 'denyTTL'], describeUnit(settings.denyTTL, 'how long a deny is cached'));
  annotate(document, [...path, 'retryBackoff'], describeUnit(settings.retryBackoff, 'first wait between retries'));
  annotate(document, [...path, 'defaultAllow'], settings.defaultAllow
    ? 'FAIL OPEN: pods are admitted unchecked whenever the webhook fails'
    : 'fail closed: pods are rejected whenever the webhook fails');
  return document.toString({ lineWidth: 0 });
}

function describeUnit(setting: DurationSetting, meaning: string): string {
  if (!setting.disabled) return `${setting.unit}: ${meaning}`;
  return setting.unit === 'milliseconds' ? 'disabled: retries happen with no delay' : 'disabled: no caching';
}

function annotate(document: Document, path: readonly (string | number)[], comment: string): void {
  const node = document.getIn(path, true);
  if (node instanceof Scalar) node.comment = ` ${comment}`;
}
