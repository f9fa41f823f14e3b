// Errors as text: `describeError` turns anything a `catch` receives into the message operators
// read. Pure; used by every layer, so failures are described the same way everywhere.
export { describeError } from './describe-error';
