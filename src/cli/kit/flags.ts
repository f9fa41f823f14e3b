// Helpers for commander flags that every command parses the same way.

/** For a repeatable flag: each occurrence is appended (`--annotation a=1 --annotation b=2`). */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}
