// Files the webhook serves from, kept current while it runs: watch their folders (editors' renames,
// ConfigMap symlink swaps), re-read on change and periodically, validate completely, and only then
// swap; a broken edit is refused and logged once, and the last good version stays in force.
export { type ChangeTrigger, type FileWatch, watchFiles } from './file-watch';
export { UnreadableFileError, digestContents, readRegularFile } from './files';
export { createPolicyReloadTarget, loadPolicyFile } from './policy-reload';
export {
  RELOAD_RESULTS,
  ReloadRefusedError,
  Reloader,
  type Loaded,
  type ReloadKind,
  type ReloadMetrics,
  type ReloadOutcome,
  type ReloadResult,
  type ReloadTarget,
  type ReloadTrigger,
  type Snapshot,
} from './reloader';
export { describeTlsExpiry, type TlsFiles, type ValidatedTlsMaterial } from './tls-material';
export { createTlsReloadTarget, loadTlsFiles, type TlsReloadHooks } from './tls-reload';
