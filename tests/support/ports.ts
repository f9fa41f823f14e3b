// Servers the tests start as child processes bind port 0 and say which port they got; these
// read it from their output. Choosing a free port first and passing it on is a race: another
// process can take the port in between, and a probe may then reach the wrong server.
import { eventually } from './eventually';

/** The first port `pattern` (one capture group) finds in the output, once the process prints it. */
export function waitForReportedPort(output: () => string, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<number> {
  return eventually(
    () => {
      const port = pattern.exec(output())?.[1];
      return port === undefined ? undefined : Number(port);
    },
    { timeoutMs, describe: () => `${what} to report its port; its output:\n${output()}` },
  );
}
