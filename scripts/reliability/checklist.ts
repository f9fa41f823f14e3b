// The verdicts of a scripted reliability run: each check prints as it is decided, and the run
// ends with a count and a single PASS or FAIL that sets the exit code.
export class Checklist {
  private readonly entries: { name: string; ok: boolean; detail: string }[] = [];

  record(name: string, ok: boolean, detail: string): void {
    this.entries.push({ name, ok, detail });
    console.log(`${ok ? '  ok  ' : '  FAIL'} ${name}: ${detail}`);
  }

  /** Prints the tally; true when every check passed. */
  report(): boolean {
    const failed = this.entries.filter((entry) => !entry.ok);
    console.log(`\n${this.entries.length} checks, ${failed.length} failed: ${failed.length === 0 ? 'PASS' : `FAIL (${failed.map((entry) => entry.name).join('; ')})`}`);
    return failed.length === 0;
  }
}
