// CPU time a server process tree spent (user + system, all threads, workers included), read from
// /proc. CPU per request does not depend on how much of the 2 cores the load generator takes.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;
// /proc/<pid>/stat fields after the `(comm)` field: state is 3, ppid 4, utime 14, stime 15.
const PPID_FIELD = 4;
const UTIME_FIELD = 14;
const STIME_FIELD = 15;

function readStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; everything after the last ')' is fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ['', '', '', ...rest];
  } catch {
    return undefined;
  }
}

/** The pid and every descendant (cluster workers), found by walking parent links in /proc. */
export function listProcessTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const fields = readStatFields(pid);
    if (fields === undefined) continue;
    const parent = Number(fields[PPID_FIELD]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const tree: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Milliseconds of CPU used so far by the given processes (exited ones count as zero). */
export function readCpuMilliseconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readStatFields(pid);
    if (fields !== undefined) ticks += Number(fields[UTIME_FIELD]) + Number(fields[STIME_FIELD]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
