// bench/results/latest.json holds the newest figures of every part of the benchmark; running one
// part replaces only its own section, so the file always shows one coherent latest run per part.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'results');
export const LATEST_FILE = path.join(RESULTS_DIR, 'latest.json');

export interface MachineDescription {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export function describeMachine(): MachineDescription {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function formatMachine(machine: MachineDescription): string {
  return `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node.js ${machine.node}, ${machine.platform}`;
}

export function writeResultSection(section: string, data: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const current: Record<string, unknown> = existsSync(LATEST_FILE) ? (JSON.parse(readFileSync(LATEST_FILE, 'utf8')) as Record<string, unknown>) : {};
  current[section] = { generatedAt: new Date().toISOString(), machine: describeMachine(), ...(data as object) };
  writeFileSync(LATEST_FILE, `${JSON.stringify(current, null, 2)}\n`);
}
