// Try before you apply: re-judge the reviews a decision log recorded under a candidate policy
// and report exactly which answers would change. Pure: policy and records in, report out.
export { CHANGE_KINDS, type ChangeGroup, type ChangeKind, type ReplayReport, replayDecisions } from './replay';
export { type ReportContext, countChanges, formatReplayJson, formatReplayText } from './report';
