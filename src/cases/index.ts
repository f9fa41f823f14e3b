// Policy case files: format and runner, shared by the project's tests and the `test` command.
export { parseCaseFile, CaseFileError, EXPECTATIONS, DECISION_LABELS, type CaseFile, type CaseVerification, type PolicyCase } from './format';
export { buildCaseContext, buildCaseRequest, checkCaseResponse, runCase, type CaseKeys, type CaseResult } from './run';
