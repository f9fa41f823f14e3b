// Errors as text: `describeError` turns anything a `catch` receives into the message operators
// read, and errors are recognised by shape, so one made in another realm is not mistaken for a
// non-error. Pure; used by every layer, so failures are described the same way everywhere.
export { describeError, errorCode, hasErrorMessage } from './describe-error';
