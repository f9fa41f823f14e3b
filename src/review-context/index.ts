// What `evaluate` needs beyond the policy, gathered for the server and the CLI alike: the scan
// reports of the policy's reports directory, the digests of the review's tags and the cosign
// signatures of the digests signature rules cover, read from their registries and verified with
// the policy's keys. Reads and watches files and asks registries; evaluate itself stays pure.
export { KeyRing } from './key-ring';
export { type ReportDirectory, ReportDirectoryError, ReportWatcher, type ReportWatcherOptions, readReportDirectory } from './report-watcher';
export { type PreparedContext, type ReviewContextOptions, ReviewContextSource } from './review-context';
export { type SignatureCheckOptions, SignatureChecks } from './signature-checks';
export { type RegistryAccess, ScanningSetupError } from './tag-resolution';
