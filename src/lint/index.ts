// Policy lint for `check`: patterns that are legal but probably not what the author meant, and
// the bootstrap trap (control-plane or webhook images refused). Pure: policy and text in, warnings out.
export { CONTROL_PLANE_IMAGES, CONTROL_PLANE_NAMESPACE, type BootstrapOptions } from './bootstrap';
export { denyCoversAllow, pathCovers, starGlobCovers } from './containment';
export { type LintOptions, lintPolicy } from './lint';
export { readNormalizedPattern } from './shape';
export { type PolicyWarning, WARNING_RULES, type WarningRule, formatPolicyWarning } from './warning';
