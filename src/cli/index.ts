// The commands of the image-policy-webhook command line, one file each, and the kit they share
// (streams, the outcome-to-exit-code table, file helpers). main.ts wires them into the program.
export { registerApiserverConfigCommand } from './apiserver-config';
export { registerCheckCommand } from './check';
export { registerEvaluateCommand } from './evaluate';
export { CommandContext, type CommandIo, PROGRAM_NAME, describeFailure, exitCodeFor } from './kit';
export { registerPkiCommand } from './pki';
export { registerReplayCommand } from './replay';
export { registerServeCommand } from './serve';
export { registerSuggestCommand } from './suggest';
export { registerTestCommand } from './test';
