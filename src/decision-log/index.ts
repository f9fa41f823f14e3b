// The webhook's decision log read back as recorded reviews, for `suggest --from-log` and `replay`.
// Pure: log text in, records out.
export {
  type DecisionLog,
  type DecisionRecord,
  type MalformedLine,
  REVIEW_MESSAGE,
  parseDecisionLog,
} from './parse';
