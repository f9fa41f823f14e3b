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
  /**
   * How the pod got in: `policy` (a pod of a dump, or a review the policy allowed), `audit` (only
   * because its namespace audits), `break-glass` (only because it asked for break-glass), or
   * `denied` (the review was refused: that pod never ran).
   */
  readonly admission: Admission;
}

export type Admission = 'policy' | 'audit' | 'break-glass' | 'denied';

/** How an image of a logged review got in: its own verdict, then what admitted the review. */
function admissionOf(decision: DecisionRecord['decision'], imageAllowed: boolean): Admission {
  if (decision === 'deny') return 'denied';
  if (imageAllowed) return 'policy';
  return decision === 'break-glass' ? 'break-glass' : 'audit';
}

export class PodListError extends Error {
  override readonly name = 'PodListError';
}

const containersSchema = z.array(z.looseObject({ image: z.string().optional() })).nullish();

const podSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().default(''), namespace: z.string().default('default') }).default({ name: '', namespace: 'default' }),
  spec: z.looseObject({ containers: containersSchema, initContainers: containersSchema, ephemeralContainers: containersSchema }),
});

const podListSchema = z.looseObject({ items: z.array(podSchema) });

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
  return `${path || '(top level)'}: ${issue.message}`;
}

function describeKind(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return Array.isArray(value) ? 'a JSON array' : `a ${typeof value}`;
  const kind = (value as Record<string, unknown>)['kind'];
  return typeof kind === 'string' ? `kind ${JSON.stringify(kind.slice(0, 40))}` : 'an object without kind';
}

/** `kubectl get pods -A -o json` prints a List; `kubectl get pod NAME -o json` prints one Pod. */
function readPods(value: unknown): z.infer<typeof podSchema>[] {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const failure = (issues: readonly z.core.$ZodIssue[]): PodListError => new PodListError(`not a pod list: ${issues.slice(0, 3).map(describeIssue).join('; ')}`);
  if (record !== undefined && Object.hasOwn(record, 'items')) {
    const list = podListSchema.safeParse(record);
    if (!list.success) throw failure(list.error.issues);
    return list.data.items;
  }
  if (record?.['kind'] === 'Pod') {
    const pod = podSchema.safeParse(record);
    if (!pod.success) throw failure(pod.error.issues);
    return [pod.data];
  }
  throw new PodListError(`expected a List of pods (kubectl get pods -A -o json) or one Pod, got ${describeKind(value)}`);
}

/**
 * Every image of every container, init container and ephemeral container. A container without
 * an image is kept as the empty string, which is no valid reference, so the caller reports it.
 */
export function collectPodSightings(podList: unknown): { sightings: Sighting[]; pods: number } {
  const pods = readPods(podList);
  const sightings: Sighting[] = [];
  for (const pod of pods) {
    const { name, namespace } = pod.metadata;
    const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
    for (const container of containers) {
      sightings.push({ image: container.image ?? '', namespace, kind: 'pod', id: `${namespace}/${name}`, admission: 'policy' });
    }
  }
  return { sightings, pods: pods.length };
}

export function collectLogSightings(records: readonly DecisionRecord[]): Sighting[] {
  return records.flatMap((record) =>
    record.review.images.map((image, index) => ({
      image,
      namespace: record.review.namespace,
      kind: 'review' as const,
      id: `line ${record.line}`,
      admission: admissionOf(record.decision, record.imagesAllowed[index] === true),
    })),
  );
}
