// What a command may touch of the process: its output streams and standard input. main.ts hands
// in the real ones; tests hand in memory, so every command runs in-process with its output kept.

export interface OutputStream {
  write(text: string): unknown;
}

export interface CommandIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** All of standard input; read only when a command is given `-` for a file. */
  readStdin(): string;
}
