// The imagePolicy numbers, row by row against kube-apiserver's config.go: 0 is the default, -1
// disables, anything else times its unit must lie in [min, max] inclusive, and only integers decode.
import { ApiserverConfigError, validateImagePolicySettings, type ImagePolicySettingsInput } from '../../../src/apiserver';

type Field = 'allowTTL' | 'denyTTL' | 'retryBackoff';

const accepted: { name: string; field: Field; value: unknown; configValue: number; effectiveValue: number; disabled: boolean }[] = [
  { name: 'allowTTL missing → default 300', field: 'allowTTL', value: undefined, configValue: 300, effectiveValue: 300, disabled: false },
  { name: 'allowTTL null → default 300 (Go leaves the zero value)', field: 'allowTTL', value: null, configValue: 300, effectiveValue: 300, disabled: false },
  { name: 'allowTTL 0 → default 300', field: 'allowTTL', value: 0, configValue: 300, effectiveValue: 300, disabled: false },
  { name: 'allowTTL -1 → caching disabled', field: 'allowTTL', value: -1, configValue: -1, effectiveValue: 0, disabled: true },
  { name: 'allowTTL 1 (inclusive minimum)', field: 'allowTTL', value: 1, configValue: 1, effectiveValue: 1, disabled: false },
  { name: 'allowTTL 1800 (inclusive maximum)', field: 'allowTTL', value: 1800, configValue: 1800, effectiveValue: 1800, disabled: false },
  { name: 'denyTTL 0 → default 30', field: 'denyTTL', value: 0, configValue: 30, effectiveValue: 30, disabled: false },
  { name: 'denyTTL -1 → caching disabled', field: 'denyTTL', value: -1, configValue: -1, effectiveValue: 0, disabled: true },
  { name: 'denyTTL 1', field: 'denyTTL', value: 1, configValue: 1, effectiveValue: 1, disabled: false },
  { name: 'denyTTL 1800', field: 'denyTTL', value: 1800, configValue: 1800, effectiveValue: 1800, disabled: false },
  { name: 'retryBackoff 0 → default 500', field: 'retryBackoff', value: 0, configValue: 500, effectiveValue: 500, disabled: false },
  { name: 'retryBackoff -1 → retries with no delay', field: 'retryBackoff', value: -1, configValue: -1, effectiveValue: 0, disabled: true },
  { name: 'retryBackoff 1 ms', field: 'retryBackoff', value: 1, configValue: 1, effectiveValue: 1, disabled: false },
  { name: 'retryBackoff 300000 ms (5 min)', field: 'retryBackoff', value: 300_000, configValue: 300_000, effectiveValue: 300_000, disabled: false },
];

test.each(accepted)('$name', ({ field, value, configValue, effectiveValue, disabled }) => {
  const setting = validateImagePolicySettings({ [field]: value })[field];
  expect(setting).toMatchObject({ configValue, effectiveValue, disabled });
  expect(setting.unit).toBe(field === 'retryBackoff' ? 'milliseconds' : 'seconds');
});

const refused: { name: string; input: ImagePolicySettingsInput; message: string }[] = [
  {
    name: 'allowTTL 1801 is above 30 min',
    input: { allowTTL: 1801 },
    message: 'allowTTL must be between 1 and 1800 seconds (or 0 for the default 300, -1 to disable caching), got 1801',
  },
  { name: 'allowTTL -2 is not a sentinel', input: { allowTTL: -2 }, message: 'allowTTL must be between 1 and 1800 seconds (or 0 for the default 300, -1 to disable caching), got -2' },
  { name: 'allowTTL 1.5 is not an integer', input: { allowTTL: 1.5 }, message: 'allowTTL must be a plain integer between 1 and 1800 seconds (or 0 for the default 300, -1 to disable caching); kube-apiserver refuses to start on a unit suffix such as "30s" or a fraction, got 1.5' },
  { name: 'allowTTL "30s" is a Go duration string, not an integer', input: { allowTTL: '30s' }, message: 'allowTTL must be a plain integer between 1 and 1800 seconds (or 0 for the default 300, -1 to disable caching); kube-apiserver refuses to start on a unit suffix such as "30s" or a fraction, got "30s"' },
  { name: 'allowTTL "300" as a string', input: { allowTTL: '300' }, message: 'got "300"' },
  { name: 'allowTTL huge (would overflow Go time.Duration)', input: { allowTTL: 9_223_372_037 }, message: 'allowTTL must be between 1 and 1800 seconds' },
  { name: 'allowTTL NaN', input: { allowTTL: Number.NaN }, message: 'allowTTL must be a plain integer' },
  { name: 'allowTTL Infinity', input: { allowTTL: Number.POSITIVE_INFINITY }, message: 'got Infinity' },
  { name: 'allowTTL true', input: { allowTTL: true }, message: 'allowTTL must be a plain integer' },
  { name: 'denyTTL 1801', input: { denyTTL: 1801 }, message: 'denyTTL must be between 1 and 1800 seconds (or 0 for the default 30, -1 to disable caching), got 1801' },
  { name: 'denyTTL -5', input: { denyTTL: -5 }, message: 'denyTTL must be between 1 and 1800 seconds (or 0 for the default 30, -1 to disable caching), got -5' },
  { name: 'denyTTL "1m"', input: { denyTTL: '1m' }, message: 'denyTTL must be a plain integer' },
  { name: 'retryBackoff 300001', input: { retryBackoff: 300_001 }, message: 'retryBackoff must be between 1 and 300000 milliseconds (or 0 for the default 500, -1 to retry with no delay), got 300001' },
  { name: 'retryBackoff -2', input: { retryBackoff: -2 }, message: 'retryBackoff must be between 1 and 300000 milliseconds (or 0 for the default 500, -1 to retry with no delay), got -2' },
  { name: 'retryBackoff 0.5', input: { retryBackoff: 0.5 }, message: 'retryBackoff must be a plain integer' },
  { name: 'defaultAllow "true" as a string', input: { defaultAllow: 'true' }, message: 'defaultAllow must be true or false (a JSON boolean), got "true"' },
  { name: 'defaultAllow 1', input: { defaultAllow: 1 }, message: 'defaultAllow must be true or false (a JSON boolean), got 1' },
];

test.each(refused)('refuses $name', ({ input, message }) => {
  expect(() => validateImagePolicySettings(input)).toThrow(ApiserverConfigError);
  expect(() => validateImagePolicySettings(input)).toThrow(message);
});

test('every bad field is reported at once, one problem each', () => {
  let caught: unknown;
  try {
    validateImagePolicySettings({ allowTTL: 1801, denyTTL: '30s', retryBackoff: -2, defaultAllow: 'no' });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ApiserverConfigError);
  const problems = (caught as ApiserverConfigError).problems;
  expect(problems.map((problem) => problem.split(' ')[0])).toEqual(['allowTTL', 'denyTTL', 'retryBackoff', 'defaultAllow']);
});

test.each([
  { name: 'missing defaultAllow fails closed', input: {}, defaultAllow: false, explanation: /fail closed/ },
  { name: 'null defaultAllow fails closed', input: { defaultAllow: null }, defaultAllow: false, explanation: /fail closed/ },
  { name: 'defaultAllow true says FAIL OPEN', input: { defaultAllow: true }, defaultAllow: true, explanation: /FAIL OPEN.*ADMITS the pod/ },
])('$name', ({ input, defaultAllow, explanation }) => {
  const settings = validateImagePolicySettings(input);
  expect(settings.defaultAllow).toBe(defaultAllow);
  expect(settings.defaultAllowExplanation).toMatch(explanation);
});

test.each([
  { name: 'default allowTTL in minutes', input: {}, field: 'allowTTL' as Field, explanation: /caches each allow for 5 min/ },
  { name: 'disabled allowTTL', input: { allowTTL: -1 }, field: 'allowTTL' as Field, explanation: /allow answers are not cached/ },
  { name: 'default denyTTL', input: {}, field: 'denyTTL' as Field, explanation: /caches each deny for 30 s/ },
  { name: 'default backoff lists the four waits', input: {}, field: 'retryBackoff' as Field, explanation: /up to 5 times, waiting 500 ms, 750 ms, 1\.13 s, 1\.69 s/ },
  { name: 'backoff -1 still retries, without delay', input: { retryBackoff: -1 }, field: 'retryBackoff' as Field, explanation: /up to 5 times with NO delay/ },
])('explains $name', ({ input, field, explanation }) => {
  expect(validateImagePolicySettings(input)[field].explanation).toMatch(explanation);
});
