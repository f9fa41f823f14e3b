// The building blocks of the policy schema: messages that name the rule and the value found,
// strict mappings that list their allowed keys, image patterns parsed once during validation, and
// bounded numbers. Every section of the schema is made of these, so every message reads alike.
import { z } from 'zod';
import { parsePattern } from './pattern';

/** Policy and key names are printed in reasons and audit annotation values, so they stay DNS labels. */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_SHOWN_VALUE = 60;

/** Describes a YAML value for a message: strings quoted, other kinds named. */
export function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') {
    const shown = JSON.stringify(input.length > MAX_SHOWN_VALUE ? `${input.slice(0, MAX_SHOWN_VALUE)}...` : input);
    return `the string ${shown}`;
  }
  if (typeof input === 'number' || typeof input === 'boolean') return `${typeof input} ${String(input)}`;
  if (Array.isArray(input)) return 'a list';
  return 'a mapping';
}

export function required(rule: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `is required: ${rule}` : `${rule}, got ${describeValue(issue.input)}`);
}

export function mapping<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    // Unrecognized keys get this text as the list of allowed keys; load.ts names each bad key.
    error: (issue) => (issue.code === 'unrecognized_keys' ? `allowed keys: ${keys}` : required(`must be ${what} with keys ${keys}`)(issue)),
  });
}

// Validation parses each pattern, and its result is what compilePolicy compiles: a large policy
// parses every pattern once.
export const patternSchema = z
  .string({ error: required('must be a string (an image pattern)') })
  .transform((source, context) => {
    const parsed = parsePattern(source);
    if (parsed.ok) return parsed.value;
    context.issues.push({ code: 'custom', input: source, message: `pattern ${JSON.stringify(source)} ${parsed.fault}` });
    return z.NEVER;
  })
  .describe('[registry/]path[:tag][@digest]; "*" matches within one component, "**" any number of components.');

export const patternList = (role: string) =>
  z.array(patternSchema, { error: required(`must be a list of image patterns`) }).describe(role);

export const flag = (rule: string) => z.boolean({ error: required('must be true or false') }).describe(rule);

export const boundedInteger = (minimum: number, maximum: number, rule: string) =>
  z
    .number({ error: required(`must be a whole number from ${minimum} to ${maximum}`) })
    .int({ error: required(`must be a whole number from ${minimum} to ${maximum}`) })
    .min(minimum, { error: required(`must be at least ${minimum}`) })
    .max(maximum, { error: required(`must be at most ${maximum}`) })
    .describe(rule);
