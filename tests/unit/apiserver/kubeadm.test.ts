// The kubeadm wiring, against kube-apiserver manifests as kubeadm 1.26, 1.33 and 1.34 write them
// (fixtures/kubeadm/README.md says where each field comes from): the patched manifest is byte for
// byte what kubeadm writes for the same extraArgs and extraVolumes, the ClusterConfiguration
// fragment makes kubeadm write that same manifest in both API versions, and patching twice changes
// nothing. Hostile and unusual manifests are refused with the reason, or patched without guessing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../../support/paths';
import { parse, parseDocument } from 'yaml';
import {
  ApiserverConfigError,
  KUBEADM_API_VERSIONS,
  buildApiserverWiring,
  buildKubeadmClusterConfiguration,
  patchApiserverManifest,
  type ApiserverWiring,
} from '../../../src/apiserver';
import { renderLikeKubeadm, type KubeadmApiServer } from './kubeadm-render';

const FIXTURES = path.join(FIXTURES_DIR, 'kubeadm');
const VERSIONS = ['v1.26', 'v1.33', 'v1.34'];
const NODE_DIR = '/etc/kubernetes/imagepolicy';
const wiring: ApiserverWiring = buildApiserverWiring(NODE_DIR);
const CHANGES = [
  'added --admission-control-config-file=/etc/kubernetes/imagepolicy/admission-configuration.yaml',
  'appended ImagePolicyWebhook to --enable-admission-plugins (now NodeRestriction,ImagePolicyWebhook)',
  'added the read-only volume mount imagepolicy at /etc/kubernetes/imagepolicy',
  'added the hostPath volume imagepolicy (/etc/kubernetes/imagepolicy, DirectoryOrCreate)',
];

function fixture(version: string, name: string): string {
  return readFileSync(path.join(FIXTURES, version, name), 'utf8');
}

interface PodManifest {
  kind: string;
  spec: {
    containers: { name: string; command: string[]; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[];
    volumes: { name: string; hostPath?: { path: string; type?: string } }[];
  };
}

/** The patched manifest read back as a Pod: each piece of the wiring present exactly once. */
function expectWired(text: string, nodeDir = NODE_DIR): void {
  const pod = parse(text) as PodManifest;
  expect(pod.kind).toBe('Pod');
  const container = pod.spec.containers.find(({ name }) => name === 'kube-apiserver');
  const command = container?.command ?? [];
  expect(command.filter((flag) => flag === `--admission-control-config-file=${nodeDir}/admission-configuration.yaml`)).toHaveLength(1);
  const plugins = command.filter((flag) => flag.startsWith('--enable-admission-plugins=')).flatMap((flag) => flag.split('=')[1]?.split(',') ?? []);
  expect(plugins.filter((plugin) => plugin === 'ImagePolicyWebhook')).toHaveLength(1);
  expect(container?.volumeMounts.filter(({ name }) => name === 'imagepolicy')).toEqual([{ mountPath: nodeDir, name: 'imagepolicy', readOnly: true }]);
  expect(pod.spec.volumes.filter(({ name }) => name === 'imagepolicy')).toEqual([{ hostPath: { path: nodeDir, type: 'DirectoryOrCreate' }, name: 'imagepolicy' }]);
}

describe.each(VERSIONS.map((version) => ({ version })))('kubeadm $version manifest', ({ version }) => {
  const original = fixture(version, 'kube-apiserver.yaml');
  const kubeadmWrites = fixture(version, 'kube-apiserver.imagepolicy.yaml');

  test('the fixtures are laid out exactly as kubeadm serializes (the YAML library round-trips them)', () => {
    for (const text of [original, kubeadmWrites]) expect(parseDocument(text).toString({ indentSeq: false, lineWidth: 0 })).toBe(text);
  });

  test('the patched manifest is what kubeadm writes for the same settings, byte for byte', () => {
    const patched = patchApiserverManifest(original, wiring, 'kube-apiserver.yaml');
    expect(patched.changes).toEqual(CHANGES);
    expect(patched.reformatted).toBe(false);
    expect(patched.text).toBe(kubeadmWrites);
    expectWired(patched.text);
  });

  test('patching the patched manifest changes nothing', () => {
    const again = patchApiserverManifest(kubeadmWrites, wiring, 'kube-apiserver.yaml');
    expect(again).toEqual({ text: kubeadmWrites, changes: [], reformatted: false });
  });

  test.each(KUBEADM_API_VERSIONS.map((apiVersion) => ({ apiVersion })))(
    'the $apiVersion ClusterConfiguration fragment makes kubeadm write the same manifest',
    ({ apiVersion }) => {
      const configuration = parse(buildKubeadmClusterConfiguration(wiring, apiVersion)) as { apiVersion: string; kind: string; apiServer: KubeadmApiServer };
      expect(configuration.apiVersion).toBe(`kubeadm.k8s.io/${apiVersion}`);
      expect(configuration.kind).toBe('ClusterConfiguration');
      expect(Array.isArray(configuration.apiServer.extraArgs)).toBe(apiVersion === 'v1beta4');
      expect(renderLikeKubeadm(original, configuration.apiServer)).toBe(kubeadmWrites);
    },
  );
});

test('the fragment in each API version', () => {
  const v1beta4 = parse(buildKubeadmClusterConfiguration(wiring, 'v1beta4')) as { apiServer: unknown };
  const v1beta3 = parse(buildKubeadmClusterConfiguration(wiring, 'v1beta3')) as { apiServer: unknown };
  const extraVolumes = [{ name: 'imagepolicy', hostPath: NODE_DIR, mountPath: NODE_DIR, readOnly: true, pathType: 'DirectoryOrCreate' }];
  expect(v1beta4.apiServer).toEqual({
    extraArgs: [
      { name: 'admission-control-config-file', value: `${NODE_DIR}/admission-configuration.yaml` },
      { name: 'enable-admission-plugins', value: 'NodeRestriction,ImagePolicyWebhook' },
    ],
    extraVolumes,
  });
  expect(v1beta3.apiServer).toEqual({
    extraArgs: { 'admission-control-config-file': `${NODE_DIR}/admission-configuration.yaml`, 'enable-admission-plugins': 'NodeRestriction,ImagePolicyWebhook' },
    extraVolumes,
  });
  expect(buildKubeadmClusterConfiguration(wiring, 'v1beta3')).toContain('# kubeadm.k8s.io/v1beta3 (read by kubeadm 1.22 to 1.35; deprecated since 1.31, removed in 1.36)');
});

const BASE = fixture('v1.33', 'kube-apiserver.yaml');
const replaceLine = (from: string, to: string): string => {
  expect(BASE).toContain(from);
  return BASE.replace(from, to);
};

describe('unusual manifests are patched without guessing', () => {
  test.each([
    {
      name: 'more plugins enabled: ours is appended, theirs kept in order',
      input: () => replaceLine('--enable-admission-plugins=NodeRestriction\n', '--enable-admission-plugins=NodeRestriction,PodSecurity,EventRateLimit\n'),
      flag: '--enable-admission-plugins=NodeRestriction,PodSecurity,EventRateLimit,ImagePolicyWebhook',
    },
    {
      name: 'no --enable-admission-plugins: kube-apiserver\'s defaults stay, the flag adds ours at its sorted place',
      input: () => replaceLine('    - --enable-admission-plugins=NodeRestriction\n', ''),
      flag: '--enable-admission-plugins=ImagePolicyWebhook',
      before: '--enable-bootstrap-token-auth=true',
    },
    {
      name: 'the plugin is enabled already: only the config file, mount and volume are added',
      input: () => replaceLine('--enable-admission-plugins=NodeRestriction\n', '--enable-admission-plugins=ImagePolicyWebhook,NodeRestriction\n'),
      flag: '--enable-admission-plugins=ImagePolicyWebhook,NodeRestriction',
    },
    {
      name: 'the flag given twice (kube-apiserver joins them): ours goes on the last',
      input: () => replaceLine('    - --enable-admission-plugins=NodeRestriction\n', '    - --enable-admission-plugins=NodeRestriction\n    - --enable-admission-plugins=PodSecurity\n'),
      flag: '--enable-admission-plugins=PodSecurity,ImagePolicyWebhook',
    },
    {
      name: 'the same config file named already',
      input: () => replaceLine('    - kube-apiserver\n', `    - kube-apiserver\n    - --admission-control-config-file=${NODE_DIR}/admission-configuration.yaml\n`),
      flag: `--admission-control-config-file=${NODE_DIR}/admission-configuration.yaml`,
    },
  ])('$name', ({ input, flag, before }) => {
    const patched = patchApiserverManifest(input(), wiring, 'kube-apiserver.yaml');
    expectWired(patched.text);
    const command = (parse(patched.text) as PodManifest).spec.containers[0]?.command ?? [];
    expect(command).toContain(flag);
    if (before !== undefined) expect(command.indexOf(flag)).toBe(command.indexOf(before) - 1);
    expect(patchApiserverManifest(patched.text, wiring, 'kube-apiserver.yaml').changes).toEqual([]);
  });

  test('another node folder', () => {
    const patched = patchApiserverManifest(BASE, buildApiserverWiring('/srv/imagepolicy'), 'kube-apiserver.yaml');
    expectWired(patched.text, '/srv/imagepolicy');
  });

  test('no volumes at all: the lists are created', () => {
    const bare = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --secure-port=6443\n    name: kube-apiserver\n';
    const patched = patchApiserverManifest(bare, wiring, 'kube-apiserver.yaml');
    expectWired(patched.text);
    expect(patched.reformatted).toBe(false);
  });

  test('a hand-indented manifest is patched and said to be re-laid out', () => {
    const indented = parseDocument(BASE).toString({ indentSeq: true, lineWidth: 0 });
    const patched = patchApiserverManifest(indented, wiring, 'kube-apiserver.yaml');
    expect(patched.reformatted).toBe(true);
    expect(patched.text).toBe(fixture('v1.33', 'kube-apiserver.imagepolicy.yaml'));
  });
});

describe('refused, naming the file and the reason', () => {
  test.each([
    { name: 'not YAML', input: () => 'spec: [unclosed\n', error: /^m\.yaml: not valid YAML: / },
    { name: 'two documents', input: () => `${BASE}---\n${BASE}`, error: /^m\.yaml: must hold exactly one YAML document, the kube-apiserver Pod$/ },
    { name: 'empty', input: () => '', error: /^m\.yaml: must hold exactly one YAML document/ },
    { name: 'a Deployment', input: () => replaceLine('kind: Pod\n', 'kind: Deployment\n'), error: /^m\.yaml: not a Pod manifest \(kind must be Pod\)$/ },
    {
      name: 'another admission config file',
      input: () => replaceLine('    - kube-apiserver\n', '    - kube-apiserver\n    - --admission-control-config-file=/etc/kubernetes/admission/config.yaml\n'),
      error: /^m\.yaml: already has --admission-control-config-file=\/etc\/kubernetes\/admission\/config\.yaml; kube-apiserver reads one file: copy the ImagePolicyWebhook entry of admission-configuration\.yaml into that file's plugins list/,
    },
    {
      name: 'the plugin disabled',
      input: () => replaceLine('    - --enable-admission-plugins=NodeRestriction\n', '    - --enable-admission-plugins=NodeRestriction\n    - --disable-admission-plugins=ImagePolicyWebhook\n'),
      error: /^m\.yaml: --disable-admission-plugins names ImagePolicyWebhook: remove it from that list first$/,
    },
    {
      name: 'the legacy --admission-control flag',
      input: () => replaceLine('--enable-admission-plugins=NodeRestriction\n', '--admission-control=NodeRestriction\n'),
      error: /^m\.yaml: uses --admission-control, which kube-apiserver refuses beside --enable-admission-plugins/,
    },
    {
      name: 'a flag whose value is a separate argument',
      input: () => replaceLine('    - --enable-admission-plugins=NodeRestriction\n', '    - --enable-admission-plugins\n    - NodeRestriction\n'),
      error: /^m\.yaml: --enable-admission-plugins has its value in a separate argument; write it as --enable-admission-plugins=VALUE first$/,
    },
    {
      name: 'a volume of the same name elsewhere',
      input: () => replaceLine('      path: /etc/kubernetes/pki\n      type: DirectoryOrCreate\n    name: k8s-certs\n', '      path: /etc/kubernetes/pki\n      type: DirectoryOrCreate\n    name: k8s-certs\n  - hostPath:\n      path: /opt/imagepolicy\n    name: imagepolicy\n'),
      error: /^m\.yaml: the volume imagepolicy is already there as \/opt\/imagepolicy \(undefined\); remove or rename it first$/,
    },
    {
      name: 'the folder mounted under another name',
      input: () => replaceLine('    - mountPath: /etc/kubernetes/pki\n', `    - mountPath: ${NODE_DIR}\n      name: webhook-files\n    - mountPath: /etc/kubernetes/pki\n`),
      error: /^m\.yaml: \/etc\/kubernetes\/imagepolicy is already mounted as webhook-files; remove that mount first$/,
    },
    {
      name: 'no kube-apiserver container among several',
      input: () => replaceLine('    name: kube-apiserver\n', '    name: apiserver\n').replace('  hostNetwork: true\n', '  - name: sidecar\n    image: busybox\n  hostNetwork: true\n'),
      error: /^m\.yaml: has no container named kube-apiserver$/,
    },
    { name: 'no command list', input: () => 'kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    args: [--secure-port=6443]\n', error: /^m\.yaml: the kube-apiserver container has no command list of strings/ },
  ])('$name', ({ input, error }) => {
    let thrown: unknown;
    try {
      patchApiserverManifest(input(), wiring, 'm.yaml');
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(ApiserverConfigError);
    expect((thrown as ApiserverConfigError).message).toMatch(error);
  });
});
