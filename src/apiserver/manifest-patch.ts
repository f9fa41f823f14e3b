// Adds the ImagePolicyWebhook wiring to an existing kube-apiserver static pod manifest, the way
// kubeadm would render the same extraArgs and extraVolumes: each new flag at its place in kubeadm's
// sorted argument list, the mount and volume at their place in its name-sorted lists, the
// plugin appended once to the plugins already enabled. Patching a patched manifest changes nothing,
// and anything it would have to overwrite or guess at is refused with the reason.
import { Document, isMap, isScalar, isSeq, parseAllDocuments, type YAMLMap, type YAMLSeq } from 'yaml';
import { IMAGE_POLICY_PLUGIN_NAME } from './admission-configuration';
import { ADMISSION_CONTROL_CONFIG_FILE_FLAG, ENABLE_ADMISSION_PLUGINS_FLAG, type ApiserverWiring } from './apiserver-wiring';
import { ApiserverConfigError } from './errors';

const APISERVER_CONTAINER = 'kube-apiserver';
/** The flag older manifests used; kube-apiserver refuses it together with --enable-admission-plugins. */
const LEGACY_ADMISSION_FLAG = 'admission-control';
const DISABLE_ADMISSION_PLUGINS_FLAG = 'disable-admission-plugins';
const FLAG_PREFIX = '--';
/** The output options kubeadm's YAML has: block sequences at their parent key's indentation. */
const KUBEADM_FORMAT = { indentSeq: false, lineWidth: 0 } as const;

export interface ManifestPatch {
  /** The patched manifest; the input itself when nothing was missing. */
  readonly text: string;
  /** One line per change, for the operator. */
  readonly changes: readonly string[];
  /** True when the input was not laid out as kubeadm writes it, so lines other than the changes moved. */
  readonly reformatted: boolean;
}

interface Flag {
  readonly index: number;
  readonly name: string;
  readonly value: string | undefined;
}

class ManifestPatcher {
  readonly changes: string[] = [];

  constructor(
    private readonly document: Document,
    private readonly label: string,
  ) {}

  refuse(problem: string): ApiserverConfigError {
    return new ApiserverConfigError([`${this.label}: ${problem}`]);
  }

  container(): YAMLMap {
    if (this.document.get('kind') !== 'Pod') throw this.refuse('not a Pod manifest (kind must be Pod)');
    const containers = this.spec().get('containers', true);
    if (!isSeq(containers)) throw this.refuse('has no spec.containers list');
    const maps = containers.items.filter(isMap);
    const container = maps.find((item) => item.get('name') === APISERVER_CONTAINER) ?? (maps.length === 1 ? maps[0] : undefined);
    if (container === undefined) throw this.refuse(`has no container named ${APISERVER_CONTAINER}`);
    return container;
  }

  command(container: YAMLMap): YAMLSeq {
    const command = container.get('command', true);
    if (!isSeq(command) || !command.items.every((item) => isScalar(item) && typeof item.value === 'string')) {
      throw this.refuse('the kube-apiserver container has no command list of strings (kubeadm writes its flags there)');
    }
    return command;
  }

  flags(command: YAMLSeq): Flag[] {
    return command.items.flatMap((item, index): Flag[] => {
      const text = isScalar(item) ? String(item.value) : '';
      if (index === 0 || !text.startsWith(FLAG_PREFIX)) return [];
      const separator = text.indexOf('=');
      return separator < 0
        ? [{ index, name: text.slice(FLAG_PREFIX.length), value: undefined }]
        : [{ index, name: text.slice(FLAG_PREFIX.length, separator), value: text.slice(separator + 1) }];
    });
  }

  /** Where kubeadm's sort (by name, then value) puts a new flag: before the first one that sorts after it. */
  insertFlag(command: YAMLSeq, flags: readonly Flag[], name: string, value: string): void {
    const after = flags.find((flag) => flag.name > name || (flag.name === name && (flag.value ?? '') > value));
    const node = this.document.createNode(`${FLAG_PREFIX}${name}=${value}`);
    command.items.splice(after === undefined ? command.items.length : after.index, 0, node);
  }

  enablePlugin(command: YAMLSeq, flags: readonly Flag[]): void {
    for (const flag of flags) {
      if (flag.value === undefined && (flag.name === ENABLE_ADMISSION_PLUGINS_FLAG || flag.name === ADMISSION_CONTROL_CONFIG_FILE_FLAG)) {
        throw this.refuse(`--${flag.name} has its value in a separate argument; write it as --${flag.name}=VALUE first`);
      }
    }
    if (flags.some((flag) => flag.name === LEGACY_ADMISSION_FLAG)) {
      throw this.refuse(`uses --${LEGACY_ADMISSION_FLAG}, which kube-apiserver refuses beside --${ENABLE_ADMISSION_PLUGINS_FLAG}: move its plugins to --${ENABLE_ADMISSION_PLUGINS_FLAG} first`);
    }
    const split = (value: string | undefined): string[] => (value ?? '').split(',').filter((plugin) => plugin !== '');
    const disabled = flags.filter((flag) => flag.name === DISABLE_ADMISSION_PLUGINS_FLAG).flatMap((flag) => split(flag.value));
    if (disabled.includes(IMAGE_POLICY_PLUGIN_NAME)) {
      throw this.refuse(`--${DISABLE_ADMISSION_PLUGINS_FLAG} names ${IMAGE_POLICY_PLUGIN_NAME}: remove it from that list first`);
    }
    const enabling = flags.filter((flag) => flag.name === ENABLE_ADMISSION_PLUGINS_FLAG);
    if (enabling.some((flag) => split(flag.value).includes(IMAGE_POLICY_PLUGIN_NAME))) return;
    const last = enabling[enabling.length - 1];
    if (last === undefined) {
      // Without the flag kube-apiserver runs its default plugins; the flag adds to them.
      this.insertFlag(command, flags, ENABLE_ADMISSION_PLUGINS_FLAG, IMAGE_POLICY_PLUGIN_NAME);
      this.changes.push(`added --${ENABLE_ADMISSION_PLUGINS_FLAG}=${IMAGE_POLICY_PLUGIN_NAME}`);
      return;
    }
    const plugins = [...split(last.value), IMAGE_POLICY_PLUGIN_NAME].join(',');
    command.items[last.index] = this.document.createNode(`${FLAG_PREFIX}${ENABLE_ADMISSION_PLUGINS_FLAG}=${plugins}`);
    this.changes.push(`appended ${IMAGE_POLICY_PLUGIN_NAME} to --${ENABLE_ADMISSION_PLUGINS_FLAG} (now ${plugins})`);
  }

  setConfigFile(command: YAMLSeq, flags: readonly Flag[], file: string): void {
    const existing = flags.filter((flag) => flag.name === ADMISSION_CONTROL_CONFIG_FILE_FLAG);
    if (existing.length === 0) {
      this.insertFlag(command, flags, ADMISSION_CONTROL_CONFIG_FILE_FLAG, file);
      this.changes.push(`added --${ADMISSION_CONTROL_CONFIG_FILE_FLAG}=${file}`);
      return;
    }
    const other = existing.find((flag) => flag.value !== file);
    if (other !== undefined) {
      throw this.refuse(
        `already has --${ADMISSION_CONTROL_CONFIG_FILE_FLAG}=${other.value ?? ''}; kube-apiserver reads one file: ` +
          `copy the ${IMAGE_POLICY_PLUGIN_NAME} entry of admission-configuration.yaml into that file's plugins list and leave the flag as it is`,
      );
    }
  }

  spec(): YAMLMap {
    const spec = this.document.get('spec', true);
    if (!isMap(spec)) throw this.refuse('has no spec');
    return spec;
  }

  /** Adds `item` to the name-sorted list `parent[key]` unless an equal entry is there; a conflicting one is refused. */
  addNamed(parent: YAMLMap, key: string, item: Record<string, unknown>, describe: string, conflicts: (existing: YAMLMap) => string | undefined): void {
    if (!parent.has(key)) parent.set(key, this.document.createNode([]));
    const list = parent.get(key, true);
    if (!isSeq(list)) throw this.refuse(`${key} is not a list`);
    const name = String(item.name);
    for (const existing of list.items.filter(isMap)) {
      const conflict = conflicts(existing);
      if (conflict !== undefined) throw this.refuse(conflict);
      if (existing.get('name') === name) return;
    }
    const after = list.items.findIndex((existing) => isMap(existing) && String(existing.get('name')) > name);
    list.items.splice(after < 0 ? list.items.length : after, 0, this.document.createNode(item));
    this.changes.push(`added ${describe}`);
  }
}

function sameVolumeMount(existing: YAMLMap, name: string, mountPath: string): string | undefined {
  const existingName = existing.get('name');
  const existingPath = existing.get('mountPath');
  if (existingName === name && (existingPath !== mountPath || existing.get('readOnly') !== true)) {
    return `the volume mount ${name} is already there with another path or writable (${String(existingPath)}); remove or rename it first`;
  }
  if (existingName !== name && existingPath === mountPath) {
    return `${mountPath} is already mounted as ${String(existingName)}; remove that mount first`;
  }
  return undefined;
}

function sameVolume(existing: YAMLMap, name: string, hostPath: string, pathType: string): string | undefined {
  if (existing.get('name') !== name) return undefined;
  const path = existing.getIn(['hostPath', 'path']);
  const type = existing.getIn(['hostPath', 'type']);
  return path === hostPath && type === pathType
    ? undefined
    : `the volume ${name} is already there as ${String(path)} (${String(type)}); remove or rename it first`;
}

/**
 * Patches `text`, the kube-apiserver static pod manifest read from `label`. Throws
 * ApiserverConfigError, naming `label`, for input it cannot patch without guessing.
 */
export function patchApiserverManifest(text: string, wiring: ApiserverWiring, label: string): ManifestPatch {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1) {
    throw new ApiserverConfigError([`${label}: must hold exactly one YAML document, the kube-apiserver Pod`]);
  }
  const [document] = documents;
  if (document === undefined || document.errors.length > 0) {
    throw new ApiserverConfigError([`${label}: not valid YAML: ${document?.errors[0]?.message ?? 'empty'}`]);
  }
  const reformatted = document.toString(KUBEADM_FORMAT) !== text;
  const patcher = new ManifestPatcher(document, label);
  const container = patcher.container();
  const command = patcher.command(container);
  patcher.setConfigFile(command, patcher.flags(command), wiring.admissionConfigFile);
  patcher.enablePlugin(command, patcher.flags(command));
  const { name, mountPath, hostPath, pathType } = wiring.volume;
  patcher.addNamed(
    container,
    'volumeMounts',
    { mountPath, name, readOnly: true },
    `the read-only volume mount ${name} at ${mountPath}`,
    (existing) => sameVolumeMount(existing, name, mountPath),
  );
  patcher.addNamed(
    patcher.spec(),
    'volumes',
    { hostPath: { path: hostPath, type: pathType }, name },
    `the hostPath volume ${name} (${hostPath}, ${pathType})`,
    (existing) => sameVolume(existing, name, hostPath, pathType),
  );
  const changes = patcher.changes;
  return { text: changes.length === 0 ? text : document.toString(KUBEADM_FORMAT), changes, reformatted: reformatted && changes.length > 0 };
}
