// kubeadm's rendering rules for extraArgs and extraVolumes, as data the tests apply to a manifest
// kubeadm wrote with its defaults (fixtures/kubeadm/): what kubeadm itself would write for the same
// ClusterConfiguration. Rules taken from kubernetes/kubernetes cmd/kubeadm/app:
//   util/arguments.go ArgumentsToCommand: an override replaces every base argument of its name;
//     the result is sorted by name, then value, and written `--name=value`.
//   phases/controlplane/volumes.go AddExtraHostPathMounts, util/staticpod/utils.go NewVolume,
//     NewVolumeMount, VolumeMapToSlice, VolumeMountMapToSlice: volumes and mounts are keyed by name
//     (an extra one replaces a default of the same name) and sorted by name.
//   util/marshal.go MarshalToYaml: JSON field order, that is keys sorted, sequences unindented.
import { isMap, isSeq, parseDocument } from 'yaml';

export interface KubeadmArg {
  name: string;
  value: string;
}

export interface KubeadmHostPathMount {
  name: string;
  hostPath: string;
  mountPath: string;
  readOnly?: boolean;
  pathType?: string;
}

/** `apiServer` of a ClusterConfiguration, v1beta3 (map) or v1beta4 (list). */
export interface KubeadmApiServer {
  extraArgs?: Record<string, string> | KubeadmArg[];
  extraVolumes?: KubeadmHostPathMount[];
}

function toArgs(extraArgs: KubeadmApiServer['extraArgs']): KubeadmArg[] {
  if (extraArgs === undefined) return [];
  return Array.isArray(extraArgs) ? extraArgs : Object.entries(extraArgs).map(([name, value]) => ({ name, value }));
}

function argumentsToCommand(base: readonly KubeadmArg[], overrides: readonly KubeadmArg[]): string[] {
  const overridden = new Set(overrides.map(({ name }) => name));
  const args = [...overrides, ...base.filter(({ name }) => !overridden.has(name))];
  args.sort((a, b) => (a.name === b.name ? compare(a.value, b.value) : compare(a.name, b.name)));
  return args.map(({ name, value }) => `--${name}=${value}`);
}

/** Go compares strings byte by byte. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName<T extends { name: string }>(items: readonly T[]): T[] {
  const keyed = new Map(items.map((item) => [item.name, item]));
  return [...keyed.values()].sort((a, b) => compare(a.name, b.name));
}

/** The manifest kubeadm writes when `apiServer` is added to the configuration it wrote `manifest` from. */
export function renderLikeKubeadm(manifest: string, apiServer: KubeadmApiServer): string {
  const document = parseDocument(manifest);
  const container = document.getIn(['spec', 'containers', 0], true);
  if (!isMap(container)) throw new Error('fixture has no container');
  const commandNode = container.get('command', true);
  if (!isSeq(commandNode)) throw new Error('fixture has no command');
  const command = commandNode.toJSON() as string[];
  const base = command.slice(1).map((flag) => {
    const [name = '', ...value] = flag.replace(/^--/, '').split('=');
    return { name, value: value.join('=') };
  });
  container.set('command', document.createNode([command[0], ...argumentsToCommand(base, toArgs(apiServer.extraArgs))]));
  const extra = apiServer.extraVolumes ?? [];
  const mounts = container.get('volumeMounts', true);
  const volumes = document.getIn(['spec', 'volumes'], true);
  if (!isSeq(mounts) || !isSeq(volumes)) throw new Error('fixture has no volumes');
  const existingMounts = mounts.toJSON() as { name: string }[];
  const existingVolumes = volumes.toJSON() as { name: string }[];
  const newMounts = extra.map(({ name, mountPath, readOnly }) => ({ mountPath, name, ...(readOnly === true ? { readOnly } : {}) }));
  const newVolumes = extra.map(({ name, hostPath, pathType }) => ({ hostPath: { path: hostPath, ...(pathType ? { type: pathType } : {}) }, name }));
  container.set('volumeMounts', document.createNode(byName([...existingMounts, ...newMounts])));
  document.setIn(['spec', 'volumes'], document.createNode(byName([...existingVolumes, ...newVolumes])));
  return document.toString({ indentSeq: false, lineWidth: 0 });
}
