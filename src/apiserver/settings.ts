// The imagePolicy tuning knobs (allowTTL, denyTTL, retryBackoff, defaultAllow), validated exactly
// as kube-apiserver's plugin/pkg/admission/imagepolicy/config.go normalizes them: a value it would
// refuse at startup is refused here, so no generated setting can stop kube-apiserver from starting.
// Also explains each effective value in words for the generated README.
import { describeValue, throwIfProblems } from './errors';

type DurationField = 'allowTTL' | 'denyTTL' | 'retryBackoff';
export type DurationUnit = 'seconds' | 'milliseconds';

/** The sentinels of config.go: 0 picks the default, -1 turns the setting off. */
const USE_DEFAULT = 0;
const DISABLED = -1;

interface DurationRule {
  readonly field: DurationField;
  readonly unit: DurationUnit;
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
  /** What -1 does, in the words of the error message. */
  readonly disabledMeaning: string;
}

// Bounds are inclusive since the klog-era config.go (`value < min || value > max`); releases up to
// about 1.12 refused the exact minimum, which no supported release does any more.
const ALLOW_TTL_RULE: DurationRule = {
  field: 'allowTTL', unit: 'seconds', defaultValue: 300, min: 1, max: 1800, disabledMeaning: 'disable caching',
};
const DENY_TTL_RULE: DurationRule = {
  field: 'denyTTL', unit: 'seconds', defaultValue: 30, min: 1, max: 1800, disabledMeaning: 'disable caching',
};
const RETRY_BACKOFF_RULE: DurationRule = {
  field: 'retryBackoff', unit: 'milliseconds', defaultValue: 500, min: 1, max: 300_000,
  disabledMeaning: 'retry with no delay',
};

/** kube-apiserver's backoff for the webhook call: 5 attempts, each wait 1.5x the last, plus up to 20 % jitter. */
const RETRY_ATTEMPTS = 5;
const RETRY_FACTOR = 1.5;

export interface DurationSetting {
  /** The integer written into the AdmissionConfiguration: the default spelled out, -1, or the given value. */
  readonly configValue: number;
  /** What kube-apiserver uses, in `unit`; 0 when the setting is disabled. */
  readonly effectiveValue: number;
  readonly unit: DurationUnit;
  readonly disabled: boolean;
  readonly explanation: string;
}

export interface ImagePolicySettings {
  readonly allowTTL: DurationSetting;
  readonly denyTTL: DurationSetting;
  readonly retryBackoff: DurationSetting;
  readonly defaultAllow: boolean;
  readonly defaultAllowExplanation: string;
}

/** Raw values as a user wrote them; missing or null means 0 (the default), as Go's JSON decoder leaves it. */
export interface ImagePolicySettingsInput {
  readonly allowTTL?: unknown;
  readonly denyTTL?: unknown;
  readonly retryBackoff?: unknown;
  readonly defaultAllow?: unknown;
}

export function validateImagePolicySettings(input: ImagePolicySettingsInput): ImagePolicySettings {
  const problems: string[] = [];
  const allowTTL = normalizeDuration(ALLOW_TTL_RULE, input.allowTTL, problems);
  const denyTTL = normalizeDuration(DENY_TTL_RULE, input.denyTTL, problems);
  const retryBackoff = normalizeDuration(RETRY_BACKOFF_RULE, input.retryBackoff, problems);
  const defaultAllow = input.defaultAllow ?? false;
  if (typeof defaultAllow !== 'boolean') {
    problems.push(`defaultAllow must be true or false (a JSON boolean), got ${describeValue(defaultAllow)}`);
  }
  throwIfProblems(problems);
  const allow = defaultAllow === true;
  return { allowTTL, denyTTL, retryBackoff, defaultAllow: allow, defaultAllowExplanation: explainDefaultAllow(allow) };
}

/**
 * Records a problem and falls back to the default for a bad value, so that validation goes on and
 * reports every problem at once; the caller throws before such a default is used.
 */
function normalizeDuration(rule: DurationRule, raw: unknown, problems: string[]): DurationSetting {
  const defaultSetting = describeDuration(rule, rule.defaultValue, rule.defaultValue);
  const value = raw ?? USE_DEFAULT;
  const range = `between ${rule.min} and ${rule.max} ${rule.unit} (or ${USE_DEFAULT} for the default ` +
    `${rule.defaultValue}, ${DISABLED} to ${rule.disabledMeaning})`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    // Go decodes these fields into time.Duration from a JSON integer: "30s" or 1.5 stop kube-apiserver.
    problems.push(`${rule.field} must be a plain integer ${range}; kube-apiserver refuses to start on a unit ` +
      `suffix such as "30s" or a fraction, got ${describeValue(value)}`);
    return defaultSetting;
  }
  if (value === DISABLED) return describeDuration(rule, DISABLED, 0);
  if (value === USE_DEFAULT) return defaultSetting;
  if (value < rule.min || value > rule.max) {
    problems.push(`${rule.field} must be ${range}, got ${describeValue(value)}`);
    return defaultSetting;
  }
  return describeDuration(rule, value, value);
}

function describeDuration(rule: DurationRule, configValue: number, effectiveValue: number): DurationSetting {
  const disabled = configValue === DISABLED;
  const explanation = rule.field === 'retryBackoff'
    ? explainRetryBackoff(effectiveValue, disabled)
    : explainCacheTtl(rule.field === 'allowTTL' ? 'allow' : 'deny', effectiveValue, disabled);
  return { configValue, effectiveValue, unit: rule.unit, disabled, explanation };
}

function explainCacheTtl(decision: 'allow' | 'deny', seconds: number, disabled: boolean): string {
  const field = `${decision}TTL`;
  if (disabled) {
    return `${field} ${DISABLED}: ${decision} answers are not cached; every pod create or update whose last ` +
      `answer was ${decision === 'allow' ? 'an allow' : 'a deny'} calls the webhook again.`;
  }
  const duration = formatSeconds(seconds);
  const consequence = decision === 'allow'
    ? `after a policy change that revokes an image, a pod spec allowed shortly before is still admitted for up to ${duration}`
    : `after a policy change that allows an image, a pod spec denied shortly before stays denied for up to ${duration}`;
  return `${field} ${seconds} (${duration}): kube-apiserver caches each ${decision} for ${duration}, keyed by the ` +
    `review spec (images, filtered annotations, namespace), in a 1024-entry cache per apiserver process; ${consequence}.`;
}

function explainRetryBackoff(milliseconds: number, disabled: boolean): string {
  const retries = `on a retryable failure (connection reset, HTTP 429, any 5xx except 503 without Retry-After) ` +
    `kube-apiserver tries the webhook up to ${RETRY_ATTEMPTS} times`;
  if (disabled) {
    return `retryBackoff ${DISABLED}: ${retries} with NO delay between attempts, so a webhook that is briefly ` +
      `unavailable is hit ${RETRY_ATTEMPTS} times in quick succession and the pod then fails at once.`;
  }
  const waits = Array.from({ length: RETRY_ATTEMPTS - 1 }, (_, step) => milliseconds * RETRY_FACTOR ** step);
  const total = waits.reduce((sum, wait) => sum + wait, 0);
  return `retryBackoff ${milliseconds} (${formatMilliseconds(milliseconds)}): ${retries}, waiting ${waits.map(formatMilliseconds).join(', ')} ` +
    `between them (each plus up to 20 % jitter), about ${formatMilliseconds(total)} in all before the ` +
    `failure counts (see defaultAllow).`;
}

function explainDefaultAllow(defaultAllow: boolean): string {
  if (defaultAllow) {
    return 'defaultAllow true: FAIL OPEN. When the webhook is down, unreachable, slower than 30 s, presents a bad ' +
      'certificate or answers with an HTTP error, kube-apiserver ADMITS the pod without any image check and only ' +
      'records the audit annotation imagepolicywebhook.image-policy.k8s.io/failed-open=true. Anyone who can make ' +
      'the webhook fail (crash it, flood it, break its certificate) bypasses the policy.';
  }
  return 'defaultAllow false: fail closed. When the webhook cannot be reached or answers with an error, the pod ' +
    'is rejected. A deliberate deny (HTTP 200 with allowed: false) is never overridden by this setting.';
}

function formatSeconds(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function formatMilliseconds(milliseconds: number): string {
  if (milliseconds < 1000) return `${Number(milliseconds.toFixed(1))} ms`;
  return `${Number((milliseconds / 1000).toFixed(2))} s`;
}
