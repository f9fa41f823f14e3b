// cosign's registry layout: configs and manifests built byte-for-byte as cosign pushed them (the
// config digests below are from real cosign pushes), and signature manifests read strictly.
import {
  DOCKER_MANIFEST_MEDIA_TYPE,
  MAX_SIGNATURE_LAYERS,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  buildSignatureImage,
  describeSignatureLayer,
  parseSignatureManifest,
  sha256Digest,
  signatureTag,
  type LayerDescriptor,
} from '../../../src/signatures';
import { DANGERZONE_SIGNATURE_MANIFEST, readFixture, readFixtureText } from '../../support/cosign-fixtures';

interface ConfigEvidence {
  readonly name: string;
  readonly configSize: number;
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
}
const CONFIGS = JSON.parse(readFixtureText('harbor/config-digests.json')) as ConfigEvidence[];
const layer = (digest: string): LayerDescriptor => ({ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: 1, digest, annotations: {} });

test.each(CONFIGS)('the config of "$name" is reproduced byte-for-byte', ({ configSize, configDigest, layerDigests }) => {
  const built = buildSignatureImage(layerDigests.map(layer));
  expect(built.config.length).toBe(configSize);
  expect(built.configDigest).toBe(configDigest);
});

test('the dangerzone signature manifest is reproduced in the layout cosign pushed', () => {
  const payload = readFixture('dangerzone-rocks/v1.payload');
  const annotations = DANGERZONE_SIGNATURE_MANIFEST.layers[0]?.annotations ?? {};
  const { [SIGNATURE_ANNOTATION]: signature = '', ...bundle } = annotations;
  const built = buildSignatureImage([describeSignatureLayer(payload, signature, bundle)]);
  // The post printed the manifest through jq; Go's compact form of the same document is what the registry stored.
  expect(built.manifest.toString('utf8')).toBe(JSON.stringify(DANGERZONE_SIGNATURE_MANIFEST));
  expect(built.manifestMediaType).toBe(OCI_MANIFEST_MEDIA_TYPE);
});

test('two signatures: one history entry and one diff_id per layer, in order', () => {
  const built = buildSignatureImage([layer(sha256Digest(Buffer.from('a'))), layer(sha256Digest(Buffer.from('b')))], 'docker');
  const config = JSON.parse(built.config.toString('utf8')) as { history: unknown[]; rootfs: { diff_ids: string[] } };
  expect(config.history).toHaveLength(2);
  expect(config.rootfs.diff_ids).toEqual([sha256Digest(Buffer.from('a')), sha256Digest(Buffer.from('b'))]);
  expect(built.manifestMediaType).toBe(DOCKER_MANIFEST_MEDIA_TYPE);
  expect(JSON.parse(built.manifest.toString('utf8'))).toMatchObject({ mediaType: DOCKER_MANIFEST_MEDIA_TYPE, config: { mediaType: 'application/vnd.docker.container.image.v1+json' } });
});

test.each([
  { digest: `sha256:${'a'.repeat(64)}`, tag: `sha256-${'a'.repeat(64)}.sig` },
  { digest: `sha384:${'b'.repeat(96)}`, tag: `sha384-${'b'.repeat(96)}.sig` },
  { digest: `sha512:${'c'.repeat(128)}`, tag: undefined },
  { digest: 'sha256:../../etc', tag: undefined },
  { digest: 'latest', tag: undefined },
])('signature tag of $digest', ({ digest, tag }) => {
  expect(signatureTag(digest)).toBe(tag);
});

describe('reading signature manifests', () => {
  const good = buildSignatureImage([describeSignatureLayer(Buffer.from('payload'), 'c2ln')]);
  const goodDocument = JSON.parse(good.manifest.toString('utf8')) as Record<string, unknown>;
  const variant = (change: (document: Record<string, unknown>) => void): Buffer => {
    const document = JSON.parse(good.manifest.toString('utf8')) as Record<string, unknown>;
    change(document);
    return Buffer.from(JSON.stringify(document));
  };

  test.each([
    { name: 'as this project builds it', bytes: good.manifest, contentType: OCI_MANIFEST_MEDIA_TYPE },
    { name: 'cosign 1.x: no mediaType field, OCI Content-Type', bytes: variant((document) => delete document['mediaType']), contentType: OCI_MANIFEST_MEDIA_TYPE },
    { name: 'Docker media types', bytes: buildSignatureImage([describeSignatureLayer(Buffer.from('payload'), 'c2ln')], 'docker').manifest, contentType: undefined },
    { name: 'with an OCI 1.1 subject', bytes: variant((document) => (document['subject'] = { mediaType: OCI_MANIFEST_MEDIA_TYPE, size: 1, digest: good.configDigest })), contentType: undefined },
  ])('$name is read', ({ bytes, contentType }) => {
    expect(parseSignatureManifest(bytes, contentType)).toEqual({ ok: true, layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', size: 7, digest: sha256Digest(Buffer.from('payload')), annotations: { [SIGNATURE_ANNOTATION]: 'c2ln' } }] });
  });

  test.each([
    { name: 'not JSON', bytes: Buffer.from('<html>'), contentType: undefined, fault: /manifest is not JSON/ },
    { name: 'an image index', bytes: Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'), contentType: undefined, fault: /media type is "application\/vnd.oci.image.index.v1\+json", not an image manifest/ },
    { name: 'schema 1', bytes: variant((document) => (document['schemaVersion'] = 1)), contentType: undefined, fault: /not a schemaVersion 2 manifest/ },
    { name: 'no mediaType anywhere', bytes: variant((document) => delete document['mediaType']), contentType: undefined, fault: /media type is "missing"/ },
    { name: 'no layers', bytes: variant((document) => delete document['layers']), contentType: undefined, fault: /no layers array/ },
    { name: `more than ${MAX_SIGNATURE_LAYERS} layers`, bytes: variant((document) => (document['layers'] = Array.from({ length: MAX_SIGNATURE_LAYERS + 1 }, () => (goodDocument['layers'] as unknown[])[0]))), contentType: undefined, fault: /101 layers, more than 100/ },
    { name: 'a layer digest that is not a digest', bytes: variant((document) => ((document['layers'] as Record<string, unknown>[])[0]!['digest'] = 'sha256:../../x')), contentType: undefined, fault: /layers\[0\].digest is not a digest/ },
    { name: 'a negative size', bytes: variant((document) => ((document['layers'] as Record<string, unknown>[])[0]!['size'] = -1)), contentType: undefined, fault: /layers\[0\].size is not a non-negative integer/ },
    { name: 'an annotation that is not a string', bytes: variant((document) => ((document['layers'] as Record<string, unknown>[])[0]!['annotations'] = { [SIGNATURE_ANNOTATION]: 1 })), contentType: undefined, fault: /annotations is not a map of strings/ },
    { name: 'the layers key twice', bytes: Buffer.from(good.manifest.toString('utf8').replace('"layers":', '"layers":[],"layers":')), contentType: undefined, fault: /the key "layers" twice/ },
  ])('$name is refused', ({ bytes, contentType, fault }) => {
    const parsed = parseSignatureManifest(bytes, contentType);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.fault).toMatch(fault);
  });
});
