// What `evaluate` needs beyond the policy, gathered for the server and the CLI alike: the scan
// reports of the policy's reports directory and the digests of the review's tags, looked up at
// their registries. Reads and watches files and asks registries; evaluate itself stays pure.
export { type ReportDirectory, ReportDirectoryError, ReportWatcher, type ReportWatcherOptions, readReportDirectory } from './report-watcher';
export { type PreparedContext, ReviewContextSource } from './review-context';
export { ScanningSetupError } from './tag-resolution';
