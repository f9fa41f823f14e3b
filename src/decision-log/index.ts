// The webhook's decision log: the line the server writes for each review, and the same lines read
// back as recorded reviews for `suggest --from-log` and `replay`. Pure: values in, values out.
export { type DecisionLog, type DecisionRecord, type MalformedLine, parseDecisionLog } from './parse';
export {
  type DecisionLine,
  type LoggedImage,
  MAX_LOGGED_ANNOTATION_LENGTH,
  MAX_LOGGED_ANNOTATIONS,
  MAX_LOGGED_IMAGE_CHARACTERS,
  MAX_LOGGED_STRING,
  REVIEW_MESSAGE,
  boundString,
  buildDecisionLine,
} from './record';
