import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeImageReview } from '../../../src/imagereview/decode';
import { FIXTURES_DIR } from '../../support/paths';

const FIXTURES = path.join(FIXTURES_DIR, 'requests');
const requestFiles = [
  ...readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).map((file) => path.join(FIXTURES, file)),
  ...readdirSync(path.join(FIXTURES, 'k8s-1.33-and-older')).map((file) => path.join(FIXTURES, 'k8s-1.33-and-older', file)),
];

const review = (spec: unknown, extra: Record<string, unknown> = {}): unknown => ({
  kind: 'ImageReview',
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  metadata: {},
  spec,
  status: { allowed: false },
  ...extra,
});

describe('decodeImageReview on the byte-exact kube-apiserver requests', () => {
  test.each(requestFiles.map((file) => ({ name: path.relative(FIXTURES, file), file })))('$name', ({ file }) => {
    const result = decodeImageReview(JSON.parse(readFileSync(file, 'utf8')));
    expect(result.ok).toBe(true);
  });

  test('both metadata forms decode to the same subject', () => {
    const newer = decodeImageReview(JSON.parse(readFileSync(path.join(FIXTURES, 'request-annotations.json'), 'utf8')));
    const older = decodeImageReview(JSON.parse(readFileSync(path.join(FIXTURES, 'k8s-1.33-and-older', 'request-annotations.json'), 'utf8')));
    expect(newer).toEqual(older);
    expect(newer).toEqual({
      ok: true,
      review: {
        images: ['registry.example.com/payments/ledger@sha256:f1389a47827ecf7477b6114a8e8991559e1c0563b6abffafee67250024345e7d'],
        namespace: 'payments',
        annotations: {
          'alpha.image-policy.k8s.io/requested-by': 'alice',
          'mycluster.image-policy.k8s.io/ticket-1234': 'INC-42 <urgent> & approved',
        },
      },
    });
  });
});

describe('decodeImageReview accepts what Go may omit', () => {
  test.each([
    { name: 'containers missing', spec: { namespace: 'a' }, images: [], namespace: 'a' },
    { name: 'containers null', spec: { containers: null, namespace: 'a' }, images: [], namespace: 'a' },
    { name: 'containers empty', spec: { containers: [], namespace: 'a' }, images: [], namespace: 'a' },
    { name: 'annotations missing', spec: { containers: [{ image: 'x' }], namespace: 'a' }, images: ['x'], namespace: 'a' },
    { name: 'namespace missing', spec: { containers: [{ image: 'x' }] }, images: ['x'], namespace: '' },
    { name: 'container without image is judged as empty string', spec: { containers: [{}] }, images: [''], namespace: '' },
    { name: 'unknown fields ignored', spec: { containers: [{ image: 'x', extra: 1 }], extra: true, namespace: 'a' }, images: ['x'], namespace: 'a' },
    { name: 'duplicates and order kept', spec: { containers: [{ image: 'b' }, { image: 'a' }, { image: 'b' }] }, images: ['b', 'a', 'b'], namespace: '' },
  ])('$name', ({ spec, images, namespace }) => {
    const result = decodeImageReview(review(spec));
    expect(result).toEqual({ ok: true, review: { images, namespace, annotations: {} } });
  });

  test('request status and metadata are ignored', () => {
    const allowedStatus = decodeImageReview(review({ containers: [{ image: 'x' }] }, { status: { allowed: true }, metadata: { name: 'y' } }));
    const deniedStatus = decodeImageReview(review({ containers: [{ image: 'x' }] }));
    expect(allowedStatus).toEqual(deniedStatus);
  });
});

describe('decodeImageReview refuses what is not an ImageReview', () => {
  test.each([
    { name: 'array body', body: [], fault: /body is an array/ },
    { name: 'null body', body: null, fault: /body is null/ },
    { name: 'string body', body: 'ImageReview', fault: /body is "ImageReview", expected an object/ },
    { name: 'wrong apiVersion', body: { ...(review({}) as object), apiVersion: 'imagepolicy.k8s.io/v1' }, fault: /apiVersion is "imagepolicy.k8s.io\/v1"/ },
    { name: 'missing apiVersion', body: { kind: 'ImageReview', spec: {} }, fault: /apiVersion is missing/ },
    { name: 'wrong kind', body: { ...(review({}) as object), kind: 'AdmissionReview' }, fault: /kind is "AdmissionReview"/ },
    { name: 'kind in lower case', body: { ...(review({}) as object), kind: 'imagereview' }, fault: /kind is "imagereview"/ },
    { name: 'missing spec', body: { kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1' }, fault: /spec is missing/ },
    { name: 'spec is a list', body: review([]), fault: /spec is an array/ },
    { name: 'containers is an object', body: review({ containers: { image: 'x' } }), fault: /spec.containers is an object, expected a list/ },
    { name: 'container is a string', body: review({ containers: ['nginx'] }), fault: /spec.containers\[0\] is "nginx"/ },
    { name: 'image is a number', body: review({ containers: [{ image: 5 }] }), fault: /spec.containers\[0\].image is a number/ },
    { name: 'image is an object', body: review({ containers: [{ image: { name: 'x' } }] }), fault: /image is an object, expected a string/ },
    { name: 'spec key Containers beside containers', body: review({ containers: [{ image: 'nginx:1' }], Containers: [{ image: 'evil' }] }), fault: /spec key "Containers" differs from the field "containers" only by case/ },
    { name: 'spec key CONTAINERS alone', body: review({ CONTAINERS: [{ image: 'evil' }] }), fault: /spec key "CONTAINERS" differs/ },
    { name: 'spec key Namespace', body: review({ containers: [], Namespace: 'kube-system' }), fault: /spec key "Namespace" differs from the field "namespace"/ },
    { name: 'spec key Annotations', body: review({ containers: [], Annotations: { 'alpha.image-policy.k8s.io/break-glass': 'true' } }), fault: /spec key "Annotations"/ },
    { name: 'container key Image', body: review({ containers: [{ image: 'nginx:1', Image: 'evil' }] }), fault: /spec.containers\[0\] key "Image" differs from the field "image"/ },
    { name: 'top-level key Spec', body: { ...(review({ containers: [] }) as object), Spec: { containers: [{ image: 'evil' }] } }, fault: /key "Spec" differs from the field "spec"/ },
    { name: 'Kelvin sign folds to k in Go', body: { ...(review({ containers: [] }) as object), '\u212aind': 'ImageReview' }, fault: /key "\\u212aind" differs from the field "kind"/ },
    { name: 'long s folds to s in Go', body: review({ containers: [{ image: 'x' }], namespace: 'a', '\u017fpec': 1, ['name\u017fpace']: 'kube-system' }), fault: /spec key "name\\u017fpace" differs from the field "namespace"/ },
    { name: 'annotation value is a number', body: review({ annotations: { 'a.image-policy.k8s.io/b': 1 } }), fault: /spec.annotations\["a.image-policy.k8s.io\/b"\] is a number/ },
    { name: 'annotations is a list', body: review({ annotations: ['x'] }), fault: /spec.annotations is an array/ },
    { name: 'namespace is a number', body: review({ namespace: 7 }), fault: /spec.namespace is a number/ },
    { name: 'long hostile kind is truncated', body: { ...(review({}) as object), kind: 'K'.repeat(10_000) }, fault: /kind is "K{40}"…$/ },
  ])('$name', ({ body, fault }) => {
    const result = decodeImageReview(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fault).toMatch(/^request is not a valid imagepolicy.k8s.io\/v1alpha1 ImageReview: /);
    expect(result.fault).toMatch(fault);
    expect(result.fault).not.toMatch(/\n/);
  });
});
