// Public face of scan-report gating: parse Trivy JSON reports, index them by image reference and
// digest, and judge an image's report against maxSeverity, ignore and requireReport. Pure:
// report text in, values out; reading the reports directory is the server's job.
export { ReportError } from './errors';
export { type GateVerdict, MAX_NAMED_FINDINGS, REQUIRE_REPORT_RULE, type VulnerabilityGate, gateReport } from './gate';
export { CONTAINER_IMAGE_ARTIFACT, type Finding, type ScanReport, TRIVY_SCHEMA_VERSION, VULNERABILITY_ID, parseTrivyReport } from './report';
export { ReportIndex } from './report-index';
export { SEVERITIES, type Severity, isSeverity, rankSeverity } from './severity';
