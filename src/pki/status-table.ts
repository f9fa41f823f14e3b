// Renders a PkiStatus for people: one table row per certificate, then one line per fault naming
// the file, then notes. The JSON form is the PkiStatus object itself, with dates as ISO strings.
import type { PkiStatus } from './status';

const EMPTY_CELL = '-';
const COLUMN_GAP = '  ';
const HEADERS = ['FILE', 'SUBJECT', 'ISSUER', 'SANS', 'EKU', 'NOT AFTER', 'DAYS LEFT', 'STATUS'] as const;
const ABSENT = 'absent';

function renderRows(rows: readonly (readonly string[])[]): string[] {
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join(COLUMN_GAP)
      .trimEnd(),
  );
}

export function formatPkiStatusTable(status: PkiStatus): string {
  const rows = status.certificates.map(({ file, summary, daysLeft, problems, absent }) => [
    file,
    summary?.subject ?? EMPTY_CELL,
    summary?.issuer ?? EMPTY_CELL,
    summary !== undefined && summary.subjectAltNames.length > 0 ? summary.subjectAltNames.join(',') : EMPTY_CELL,
    summary !== undefined && summary.extendedKeyUsages.length > 0 ? summary.extendedKeyUsages.join(',') : EMPTY_CELL,
    summary?.notAfter.toISOString() ?? EMPTY_CELL,
    daysLeft === undefined ? EMPTY_CELL : String(daysLeft),
    absent ? ABSENT : problems.length === 0 ? 'ok' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`,
  ]);
  const problemLines = [status.problems, ...status.certificates.map(({ problems }) => problems)].flatMap((problems) =>
    problems.map(({ file, message }) => `  ${file}: ${message}`),
  );
  const noteLines = status.certificates
    .filter(({ absent }) => absent)
    .map(({ file, keyFile }) => `  ${file}, ${keyFile}: not here, which is fine where the webhook runs: they are kube-apiserver's, and its copy lives in its own folder`);
  const lines = renderRows([HEADERS, ...rows]);
  if (problemLines.length > 0) {
    lines.push('', 'problems:', ...problemLines);
  }
  if (noteLines.length > 0) {
    lines.push('', 'notes:', ...noteLines);
  }
  return `${lines.join('\n')}\n`;
}
