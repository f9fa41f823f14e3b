// `apiserver-config --patch-manifest`: reads kube-apiserver's static pod manifest, patches a copy
// for --out (never the file itself: the kubelet restarts kube-apiserver on every write to it) and
// shows what changed as a unified diff. The patch is pure, in ../apiserver.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { APISERVER_MANIFEST_FILE, ApiserverConfigError, formatUnifiedDiff, patchApiserverManifest, type ApiserverWiring, type ManifestPatch } from '../apiserver';
import { type CommandIo, readInputFile } from './kit';

export interface PatchedManifest {
  /** The manifest as the operator named it. */
  readonly input: string;
  /** Where the patched copy goes. */
  readonly output: string;
  /** The manifest's text as read. */
  readonly original: string;
  readonly patch: ManifestPatch;
}

/** The file a path names once symlinks are followed, also when the file (or its folder) is not there yet. */
function resolveTarget(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

/** Reads and patches the manifest; ApiserverConfigError for a manifest it cannot patch, InputError for one it cannot read. */
export function renderPatchedManifest(io: CommandIo, input: string, outDir: string, wiring: ApiserverWiring): PatchedManifest {
  const original = readInputFile(io, '--patch-manifest', input);
  return { input, output: path.join(outDir, APISERVER_MANIFEST_FILE), original, patch: patchApiserverManifest(original, wiring, input) };
}

/** True for a kube-apiserver manifest that already has the wiring: a copy an earlier run wrote. */
export function isPatchedCopy(text: string, wiring: ApiserverWiring): boolean {
  try {
    return patchApiserverManifest(text, wiring, APISERVER_MANIFEST_FILE).changes.length === 0;
  } catch (error) {
    if (error instanceof ApiserverConfigError) return false;
    throw error;
  }
}

/** The copy must never land on the manifest it was made from. */
export function findInPlaceProblems({ input, output }: PatchedManifest): string[] {
  if (resolveTarget(input) !== resolveTarget(output)) return [];
  return [
    `--patch-manifest ${input} is the file --out would write: the manifest is never edited in place. ` +
      `Write the copy elsewhere (--out DIR), review it, then install it over ${input}`,
  ];
}

export function reportManifestPatch(io: CommandIo, { input, output, original, patch }: PatchedManifest): void {
  if (patch.changes.length === 0) {
    io.stdout.write(`${input} already has the ImagePolicyWebhook flags, mount and volume: ${output} is the same manifest\n`);
    return;
  }
  if (patch.reformatted) {
    io.stderr.write(`note: ${input} is not laid out as kubeadm writes it; the copy is, so the diff also shows lines that only moved\n`);
  }
  for (const change of patch.changes) io.stdout.write(`${output}: ${change}\n`);
  io.stdout.write(formatUnifiedDiff(original, patch.text, input, output));
}
