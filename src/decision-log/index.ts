// The webhook's decision log: the review line the server writes for every review, and the reader
// that turns a log back into recorded reviews for `suggest --from-log` and `replay`. Writer and
// reader live here together. Pure: decisions in, fields out; log text in, records out.
export { type DecisionLog, type DecisionRecord, type MalformedLine, parseDecisionLog } from './parse';
export { type DecisionLogFields, type LoggedImageVerdict, REVIEW_MESSAGE, buildDecisionLogFields } from './record';
