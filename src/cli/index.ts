// The commands of the image-policy-webhook command line, one file each; main.ts wires them into
// the program. Commands parse flags, read and write files, and map every outcome to an exit code.
export { registerApiserverConfigCommand } from './apiserver-config';
export { registerCheckCommand } from './check';
export { registerEvaluateCommand } from './evaluate';
export { registerPkiCommand } from './pki';
export { registerReplayCommand } from './replay';
export { registerServeCommand } from './serve';
export { registerSuggestCommand } from './suggest';
export { registerTestCommand } from './test';
