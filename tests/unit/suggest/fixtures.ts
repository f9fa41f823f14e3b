// The suggest fixtures as data the tests share: the pod dump, the reviews kube-apiserver would
// send for each of its pods, and the decision log.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReviewSubject } from '../../../src/policy';
import { FIXTURES_DIR } from '../../support/paths';

export { FIXTURES_DIR };
export const PODS_FILE = path.join(FIXTURES_DIR, 'suggest', 'pods.json');
export const AUDIT_LOG_FILE = path.join(FIXTURES_DIR, 'decision-log', 'audit.log');

interface FixturePod {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Readonly<Record<'containers' | 'initContainers' | 'ephemeralContainers', readonly { readonly image: string }[] | undefined>>;
}

export function readPodDump(): unknown {
  return JSON.parse(readFileSync(PODS_FILE, 'utf8'));
}

/**
 * What kube-apiserver reviews for each pod: containers then init containers on create, and the
 * ephemeral containers alone on `kubectl debug`.
 */
export function buildPodReviews(): { name: string; review: ReviewSubject }[] {
  const pods = (readPodDump() as { items: FixturePod[] }).items;
  return pods.flatMap((pod) => {
    const { name, namespace } = pod.metadata;
    const images = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].map((container) => container.image);
    const ephemeral = (pod.spec.ephemeralContainers ?? []).map((container) => container.image);
    const create = { name: `${namespace}/${name}`, review: { images, namespace, annotations: {} } };
    if (ephemeral.length === 0) return [create];
    return [create, { name: `${namespace}/${name} (kubectl debug)`, review: { images: ephemeral, namespace, annotations: {} } }];
  });
}

export function readAuditLog(): string {
  return readFileSync(AUDIT_LOG_FILE, 'utf8');
}
