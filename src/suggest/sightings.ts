// Where an image was seen: in a pod of a cluster dump (`kubectl get pods -A -o json`) or in a
// review the webhook logged. Both inputs become the same Sighting list, so the rest of suggest
// does not care which one the operator had.
import { z } from 'zod';
import type { DecisionRecord } from '../decision-log';

export interface Sighting {
  /** The image string exactly as the pod spec wrote it (and as kube-apiserver sends it). */
  readonly image: string;
  readonly namespace: string;
  /** `pod` for a cluster dump, `review` for a decision log line. */
  readonly kind: 'pod' | 'review';
  /** Which pod (`namespace/name`) or which log line; sightings with one id count once. */
  readonly id: string;
  /** False when the logged review was denied: that pod never ran. */
  readonly admitted: boolean;
}

export class PodListError extends Error {
  override readonly name = 'PodListError';
}

const containersSchema = z.array(z.looseObject({ image: z.string().optional() })).nullish();

const podSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().default(''), namespace: z.string().default('default') }).default({ name: '', namespace: 'default' }),
  spec: z.looseObject({ containers: containersSchema, initContainers: containersSchema, ephemeralContainers: containersSchema }),
});

/** `kubectl get pods -A -o json` prints a List; `kubectl get pod NAME -o json` prints one Pod. */
const podListSchema = z.union([z.looseObject({ items: z.array(podSchema) }), podSchema.transform((pod) => ({ items: [pod] }))]);

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
  return `${path || '(top level)'}: ${issue.message}`;
}

/**
 * Every image of every container, init container and ephemeral container. A container without
 * an image is kept as the empty string, which is no valid reference, so the caller reports it.
 */
export function collectPodSightings(podList: unknown): { sightings: Sighting[]; pods: number } {
  const parsed = podListSchema.safeParse(podList);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    // A union reports its branches' issues nested; the list branch is the one operators mean.
    const shown = issues.length === 1 && issues[0]?.code === 'invalid_union' ? (issues[0].errors[0] ?? []) : issues;
    throw new PodListError(`not a pod list (kubectl get pods -A -o json): ${shown.slice(0, 3).map(describeIssue).join('; ')}`);
  }
  const sightings: Sighting[] = [];
  for (const pod of parsed.data.items) {
    const { name, namespace } = pod.metadata;
    const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
    for (const container of containers) {
      sightings.push({ image: container.image ?? '', namespace, kind: 'pod', id: `${namespace}/${name}`, admitted: true });
    }
  }
  return { sightings, pods: parsed.data.items.length };
}

export function collectLogSightings(records: readonly DecisionRecord[]): Sighting[] {
  return records.flatMap((record) =>
    record.review.images.map((image) => ({
      image,
      namespace: record.review.namespace,
      kind: 'review' as const,
      id: `line ${record.line}`,
      admitted: record.allowed,
    })),
  );
}
