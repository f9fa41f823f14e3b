// Narrows an already JSON-parsed request body into the subject a policy judges.
// A body that is JSON but not an ImageReview is a decision (deny), never an HTTP error:
// kube-apiserver counts any non-2xx answer as a backend failure and may then fail open.
import type { ReviewSubject } from '../policy';
import { quoteForMessage } from '../reference';
import { IMAGE_REVIEW_API_VERSION, IMAGE_REVIEW_KIND } from './types';

export type DecodeResult =
  | { readonly ok: true; readonly review: ReviewSubject }
  | { readonly ok: false; readonly fault: string };

const MAX_FAULT_VALUE_LENGTH = 40;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.slice(0, MAX_FAULT_VALUE_LENGTH));
    return value.length > MAX_FAULT_VALUE_LENGTH ? `${shown}…` : shown;
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The fields this decoder reads, per object, spelled as kube-apiserver writes them. */
const REVIEW_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const SPEC_FIELDS = ['containers', 'annotations', 'namespace'];
const CONTAINER_FIELDS = ['image'];
/** Non-ASCII runes Go's case folding maps onto ASCII letters: KELVIN SIGN to k, LATIN SMALL LETTER LONG S to s. */
const GO_SPECIAL_FOLDS: Readonly<Record<string, string>> = { '\u212a': 'k', '\u017f': 's' };

/** A key as Go's encoding/json compares it with field names: ASCII letters and two special runes folded. */
function foldKey(key: string): string {
  let folded = '';
  for (const character of key) {
    const special = GO_SPECIAL_FOLDS[character];
    folded += special ?? (character >= 'A' && character <= 'Z' ? character.toLowerCase() : character);
  }
  return folded;
}

/**
 * Go's decoder would read `Containers` or `\u212aind` as the field `containers` or `kind`; this one
 * reads only the exact name. kube-apiserver never writes such a key, so rather than guess which
 * of two spellings was meant, a body that carries one is refused.
 */
function findCaseVariant(object: Record<string, unknown>, fields: readonly string[], where: string): string | undefined {
  for (const key of Object.keys(object)) {
    if (fields.includes(key)) continue;
    const field = fields.find((name) => name === foldKey(key));
    if (field !== undefined) return `${where}${quoteForMessage(key, MAX_FAULT_VALUE_LENGTH)} differs from the field "${field}" only by case, which kube-apiserver never sends`;
  }
  return undefined;
}

function fail(fault: string): DecodeResult {
  return { ok: false, fault: `request is not a valid ${IMAGE_REVIEW_API_VERSION} ${IMAGE_REVIEW_KIND}: ${fault}` };
}

function decodeImages(containers: unknown): string[] | string {
  // Go omits an empty list (`omitempty`); null is accepted for the same reason.
  if (containers === undefined || containers === null) return [];
  if (!Array.isArray(containers)) return `spec.containers is ${describe(containers)}, expected a list`;
  const images: string[] = [];
  for (const [index, container] of containers.entries()) {
    if (!isRecord(container)) return `spec.containers[${index}] is ${describe(container)}, expected an object`;
    const variant = findCaseVariant(container, CONTAINER_FIELDS, `spec.containers[${index}] key `);
    if (variant !== undefined) return variant;
    const image = container['image'];
    // A container without an image is judged as the empty string, which is an invalid reference: denied.
    if (image === undefined || image === null) images.push('');
    else if (typeof image === 'string') images.push(image);
    else return `spec.containers[${index}].image is ${describe(image)}, expected a string`;
  }
  return images;
}

function decodeAnnotations(annotations: unknown): Record<string, string> | string {
  if (annotations === undefined || annotations === null) return {};
  if (!isRecord(annotations)) return `spec.annotations is ${describe(annotations)}, expected a map of strings`;
  const decoded: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(annotations)) {
    // The key is quoted cut short like any value: a reason must stay one short line.
    if (typeof value !== 'string') return `spec.annotations[${describe(key)}] is ${describe(value)}, expected a string`;
    decoded[key] = value;
  }
  return decoded;
}

/** The one place that turns an untrusted request body into typed data. */
export function decodeImageReview(body: unknown): DecodeResult {
  if (!isRecord(body)) return fail(`body is ${describe(body)}, expected an object`);
  const reviewVariant = findCaseVariant(body, REVIEW_FIELDS, 'key ');
  if (reviewVariant !== undefined) return fail(reviewVariant);
  if (body['apiVersion'] !== IMAGE_REVIEW_API_VERSION) return fail(`apiVersion is ${describe(body['apiVersion'])}`);
  if (body['kind'] !== IMAGE_REVIEW_KIND) return fail(`kind is ${describe(body['kind'])}`);
  const spec = body['spec'];
  if (!isRecord(spec)) return fail(`spec is ${describe(spec)}, expected an object`);
  const specVariant = findCaseVariant(spec, SPEC_FIELDS, 'spec key ');
  if (specVariant !== undefined) return fail(specVariant);

  const images = decodeImages(spec['containers']);
  if (typeof images === 'string') return fail(images);
  const annotations = decodeAnnotations(spec['annotations']);
  if (typeof annotations === 'string') return fail(annotations);
  const namespace = spec['namespace'] ?? '';
  if (typeof namespace !== 'string') return fail(`spec.namespace is ${describe(namespace)}, expected a string`);

  return { ok: true, review: { images, namespace, annotations } };
}
