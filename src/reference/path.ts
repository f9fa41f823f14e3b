// The repository path (distribution's remote-name): slash-separated lowercase components.
// Each component is matched on its own, so a failure names the exact component at fault.
import { ANCHORED_PATH_COMPONENT } from './grammar';
import { quoteForMessage } from './errors';

/** Longest repository path, distribution's RepositoryNameTotalLengthMax (it excludes the registry). */
export const MAX_REPOSITORY_LENGTH = 255;

const UPPER_CASE = /[A-Z]/;
const COMPONENT_RULE = "must be lowercase letters and digits, joined by single '.', '_' or '__', or runs of '-'";

function describeComponentFault(component: string): string {
  if (component.includes('[') || component.includes(']')) {
    return `path component ${quoteForMessage(component)} contains "[" or "]", which only enclose an IPv6 registry host`;
  }
  return `path component ${quoteForMessage(component)} ${COMPONENT_RULE}`;
}

/** Returns what is wrong with a repository path as written (before `library/` is added), or undefined. */
export function findRepositoryPathFault(path: string): string | undefined {
  // Checked on the whole path first so `Foo/bar` reports case, not a component rule.
  if (UPPER_CASE.test(path)) return `repository path ${quoteForMessage(path)} must be lowercase`;
  for (const component of path.split('/')) {
    if (!ANCHORED_PATH_COMPONENT.test(component)) return describeComponentFault(component);
  }
  return undefined;
}

/** Returns the length fault of a normalized repository path, or undefined. */
export function findRepositoryLengthFault(repository: string): string | undefined {
  if (repository.length <= MAX_REPOSITORY_LENGTH) return undefined;
  return `repository path ${quoteForMessage(repository)} is ${repository.length} characters long, more than ${MAX_REPOSITORY_LENGTH}`;
}
