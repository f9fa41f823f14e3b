// The operational half of the generated README: the exact kube-apiserver flags and hostPath mount,
// a pre-flight check of the kubeconfig with kubectl (the same client-go loader kube-apiserver uses),
// and a rollout and rollback one control-plane node at a time.
import { IMAGE_POLICY_PLUGIN_NAME } from './admission-configuration';
import { ADMISSION_CONTROL_CONFIG_FILE_FLAG, ENABLE_ADMISSION_PLUGINS_FLAG, type ApiserverWiring } from './apiserver-wiring';
import { APISERVER_MANIFEST_FILE } from './files';
import type { WebhookServerUrl } from './server-url';

export interface NodeFiles {
  readonly nodeDir: string;
  readonly admissionConfiguration: string;
  readonly kubeconfig: string;
}

export interface RolloutInput {
  readonly files: NodeFiles;
  readonly wiring: ApiserverWiring;
  readonly server: WebhookServerUrl;
  /** Shell lines that copy the generated files and certificates onto the node. */
  readonly installCommands: string;
  /** The output folder as the operator named it, where a patched manifest copy is written. */
  readonly outDir: string;
}

export const APISERVER_MANIFEST = `/etc/kubernetes/manifests/${APISERVER_MANIFEST_FILE}`;
// Outside the manifests folder: the kubelet runs every file in it, a backup copy included.
const MANIFEST_BACKUP = '/etc/kubernetes/kube-apiserver.yaml.before-imagepolicy';
const PROBE_REVIEW = '{"apiVersion":"imagepolicy.k8s.io/v1alpha1","kind":"ImageReview",' +
  '"spec":{"containers":[{"image":"registry.k8s.io/pause:3.10"}],"namespace":"kube-system"}}';

/** The sections before the kubeadm one (the files must be on the node first). */
export function buildPreflightSections({ files, server, installCommands }: RolloutInput): string[] {
  return [buildPreflightSection(files, server, installCommands)];
}

/** The sections after the kubeadm one: the manifest by hand, then the node-by-node rollout and rollback. */
export function buildRolloutSections({ wiring, outDir }: RolloutInput): string[] {
  return [buildFlagsSection(wiring), buildMountSection(wiring), buildRolloutSection(outDir), buildRollbackSection()];
}

function buildFlagsSection(wiring: ApiserverWiring): string {
  return [
    '## kube-apiserver flags',
    `Without kubeadm, edit \`${APISERVER_MANIFEST}\` (or wherever your kube-apiserver gets its flags); on kubeadm the ` +
      'patched copy above has these already. Under `spec.containers[0].command`:',
    fence('yaml', [
      `    - --${ENABLE_ADMISSION_PLUGINS_FLAG}=${wiring.admissionPlugins.join(',')}`,
      `    - --${ADMISSION_CONTROL_CONFIG_FILE_FLAG}=${wiring.admissionConfigFile}`,
    ].join('\n')),
    [
      `- \`--enable-admission-plugins\`: **append** \`,${IMAGE_POLICY_PLUGIN_NAME}\` to the list the manifest ` +
        'already has (kubeadm writes `NodeRestriction`; keep every plugin that is there). Edit the existing ' +
        'flag rather than adding a second one.',
      '- `--admission-control-config-file`: if the manifest already has one (for PodSecurity, EventRateLimit, ' +
        `...), do not add a second flag: copy the \`${IMAGE_POLICY_PLUGIN_NAME}\` entry of ` +
        '`admission-configuration.yaml` into the `plugins:` list of the file already in use.',
      '- If the plugin is enabled without a valid configuration, kube-apiserver **does not start**: every ' +
        'file named here and in the kubeconfig is read at startup.',
    ].join('\n'),
  ].join('\n\n');
}

function buildMountSection({ volume }: ApiserverWiring): string {
  return [
    '## Mount the folder into the kube-apiserver pod',
    `kube-apiserver runs in a container that only sees the host folders mounted into it. Add to the existing ` +
      `\`volumeMounts\` and \`volumes\` lists of \`${APISERVER_MANIFEST}\`:`,
    fence('yaml', [
      'spec:',
      '  containers:',
      '  - name: kube-apiserver',
      '    volumeMounts:',
      `    - name: ${volume.name}`,
      `      mountPath: ${volume.mountPath}`,
      `      readOnly: ${String(volume.readOnly)}`,
      '  volumes:',
      `  - name: ${volume.name}`,
      '    hostPath:',
      `      path: ${volume.hostPath}`,
      `      type: ${volume.pathType}`,
    ].join('\n')),
    `\`type: ${volume.pathType}\` is what kubeadm gives the folders it mounts. A folder that was never copied to the ` +
      'node is then mounted empty, and kube-apiserver stops at startup naming the file it could not read.',
  ].join('\n\n');
}

function buildPreflightSection(files: NodeFiles, server: WebhookServerUrl, installCommands: string): string {
  return [
    '## Copy the files and check the connection (every control-plane node)',
    'From the folder where you generated this one:',
    fence('sh', installCommands),
    'Check, as root on the node, that the kubeconfig works: `kubectl` loads it with the same client-go code ' +
      'as kube-apiserver (CA, client certificate and key, current-context) and posts an ImageReview:',
    fence('sh', [
      `echo '${PROBE_REVIEW}' > /tmp/imagepolicy-review.json`,
      `sudo kubectl --kubeconfig ${files.kubeconfig} create --raw ${server.path} -f /tmp/imagepolicy-review.json`,
    ].join('\n')),
    'Any `{"kind":"ImageReview",...,"status":{"allowed":...}}` answer, allowed or not, proves the path works. ' +
      'A TLS or connection error here is exactly what kube-apiserver would hit: fix it before going on.',
  ].join('\n\n');
}

function buildRolloutSection(outDir: string): string {
  return [
    '## Roll out one control-plane node at a time',
    [
      '1. Copy the files and run the connection check above on this node.',
      `2. Back up the manifest **outside** the manifests folder (the kubelet runs every file in it, so a ` +
        `backup left there starts a second kube-apiserver): \`sudo cp ${APISERVER_MANIFEST} ${MANIFEST_BACKUP}\``,
      `3. Give kube-apiserver the two flags and the mount. On kubeadm, make this node's patched copy (above), ` +
        `review its diff and install it: \`sudo install -m 0600 ${outDir.replace(/\/+$/, '')}/${APISERVER_MANIFEST_FILE} ${APISERVER_MANIFEST}\`. ` +
        `Without kubeadm, edit \`${APISERVER_MANIFEST}\` as shown above. The kubelet notices the change ` +
        'and restarts kube-apiserver within a minute or so.',
      '4. Wait until it is back: `sudo crictl ps --name kube-apiserver` shows a fresh container, and ' +
        '`kubectl get --raw /readyz` prints `ok` (`kubectl get --raw \'/readyz?verbose\'` lists every check).',
      '5. Prove the plugin is active on **this** node (with several control-plane nodes, point kubectl at ' +
        'this node\'s address, e.g. `--server https://<node-ip>:6443`). An image the policy does not allow ' +
        'must be refused:',
      fence('sh', 'kubectl run imagepolicy-probe --image=image-policy-probe.invalid/denied:1 --restart=Never ' +
        '--dry-run=server').replace(/^/gm, '   '),
      '   Expected: `Error from server (Forbidden): pods "imagepolicy-probe" is forbidden: image policy webhook ' +
        'backend denied one or more images: ...`. The same command with an image your policy allows must ' +
        'print `pod/imagepolicy-probe created (server dry run)`.',
      '6. Only then go to the next control-plane node and repeat from step 1.',
    ].join('\n'),
  ].join('\n\n');
}

function buildRollbackSection(): string {
  return [
    '## Roll back',
    [
      `1. Restore the manifest: \`sudo cp ${MANIFEST_BACKUP} ${APISERVER_MANIFEST}\`. The kubelet restarts ` +
        'kube-apiserver without the plugin.',
      '2. Check `kubectl get --raw /readyz` again.',
    ].join('\n'),
    'If kube-apiserver does not come back after the edit, read why with `sudo crictl ps -a --name ' +
      'kube-apiserver` and `sudo crictl logs <container-id>`. The usual causes: a file that is missing or not ' +
      'mounted into the pod, a kubeconfig whose certificate files cannot be read, or a setting out of range. ' +
      'Fix it or restore the backup. Denies are cached for `denyTTL`, so after fixing the policy allow for ' +
      'that delay before retrying a pod.',
  ].join('\n\n');
}

/** A fenced Markdown code block. */
export function fence(language: string, body: string): string {
  return `\`\`\`${language}\n${body}\n\`\`\``;
}
