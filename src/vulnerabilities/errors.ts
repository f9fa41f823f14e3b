// The one error a report file raises: where (file, line:col, field) and what rule it breaks, so
// a CI job that wrote a bad report can be fixed from the webhook's log line alone.

export class ReportError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path such as `Results[0].Vulnerabilities[3].Severity`; empty for the file as a whole. */
  readonly field: string;
  readonly fault: string;

  constructor(file: string, line: number, column: number, field: string, fault: string) {
    super(`${file}:${line}:${column}: ${field === '' ? '' : `${field}: `}${fault}`);
    this.name = 'ReportError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field;
    this.fault = fault;
  }
}
