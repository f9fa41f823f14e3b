// The deny index must name the same deny entry as a scan of the list in file order with the
// exact cover test. Named rows pin where a bucketed lookup could go wrong: the earliest cover
// across buckets, host globs by label count, a deny on every port, literal, starred and glued
// path components before and after a globstar, tags against digests, IPv6 hosts, and a crowded
// bucket.
import { DenyIndex } from '../../../src/lint/deny-index';
import { listPatterns } from '../../../src/lint/catalogue';
import { denyCoversAllow } from '../../../src/lint/containment';
import { loadPolicy } from '../../../src/policy';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function findCover(allow: string, denies: readonly string[]): { indexed: string | undefined; scanned: string | undefined } {
  const text = `apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: p\nallow: [${JSON.stringify(allow)}]\ndeny: [${denies.map((deny) => JSON.stringify(deny)).join(', ')}]\n`;
  const entries = listPatterns(loadPolicy(text, 'p.yaml'));
  const allowEntry = entries.find((entry) => entry.pattern.kind === 'allow')!;
  const denyEntries = entries.filter((entry) => entry.pattern.kind === 'deny');
  return {
    indexed: new DenyIndex(denyEntries).findFirstCover(allowEntry.shape)?.pattern.origin,
    scanned: denyEntries.find((deny) => denyCoversAllow(deny.shape, allowEntry.shape))?.pattern.origin,
  };
}

test.each<{ name: string; allow: string; denies: string[]; want: string | undefined }>([
  { name: 'same literal host and repository', allow: 'quay.io/a/b', denies: ['quay.io/a/c', 'quay.io/a/b'], want: 'deny[1]' },
  { name: 'earliest wins: any-registry deny before a host deny', allow: 'quay.io/a/b', denies: ['**/b', 'quay.io/**'], want: 'deny[0]' },
  { name: 'earliest wins: host deny before an any-registry deny', allow: 'quay.io/a/b', denies: ['quay.io/**', '**/b'], want: 'deny[0]' },
  { name: 'earliest wins: deeper literal prefix before a shallower one', allow: 'quay.io/a/b', denies: ['quay.io/a/*', 'quay.io/*/b'], want: 'deny[0]' },
  { name: 'earliest wins: host glob before literal host', allow: 'r.example.com/app', denies: ['*.example.com/**', 'r.example.com/app'], want: 'deny[0]' },
  { name: 'other host is not covered', allow: 'quay.io/a/b', denies: ['quay.io.evil.io/**', 'evil.io/a/b'], want: undefined },
  { name: 'host glob: same label count and last label', allow: 'r.example.com/app', denies: ['*.example.com/**'], want: 'deny[0]' },
  { name: 'host glob: more labels are not covered', allow: 'a.b.example.com/app', denies: ['*.example.com/**'], want: undefined },
  { name: 'host globs told apart by their literal labels', allow: 'x.b.example.com/app', denies: ['*.a.example.com/**', '*.b.example.com/**'], want: 'deny[1]' },
  { name: 'host glob with two glob labels', allow: 'x.y.example.com/app', denies: ['*.*.other.com/**', '*.*.example.com/**'], want: 'deny[1]' },
  { name: 'host glob with a glob label in the middle', allow: 'r.x.com/app', denies: ['r.*.com/**'], want: 'deny[0]' },
  { name: 'host glob with a glob last label', allow: 'r.io/app', denies: ['r.*/**'], want: 'deny[0]' },
  { name: 'host glob covers a narrower host glob', allow: '*.example.com/app', denies: ['r.example.com/**', '*.*.com/**'], want: 'deny[1]' },
  { name: 'a literal host never covers a host glob', allow: '*.example.com/app', denies: ['r.example.com/**'], want: undefined },
  { name: 'a portless deny covers every port', allow: 'r.example.com:5000/app', denies: ['r.example.com/app'], want: 'deny[0]' },
  { name: 'a deny on one port misses another', allow: 'r.example.com:6000/app', denies: ['r.example.com:5000/app'], want: undefined },
  { name: 'an allow on every registry is covered only by a deny on every registry', allow: '**/app', denies: ['quay.io/**', '**/app'], want: 'deny[1]' },
  { name: 'a literal component never covers a glob', allow: 'quay.io/a/*', denies: ['quay.io/a/b'], want: undefined },
  { name: 'a star covers a star', allow: 'quay.io/a/*', denies: ['quay.io/a/b', 'quay.io/a/*'], want: 'deny[1]' },
  { name: 'a star never covers a globstar', allow: 'quay.io/a/**', denies: ['quay.io/a/*'], want: undefined },
  { name: 'a literal prefix does not reach a shorter path', allow: 'quay.io/a', denies: ['quay.io/a/*'], want: undefined },
  { name: 'a star component covers one component, at its depth', allow: 'quay.io/x/legacy', denies: ['quay.io/*/other', 'quay.io/*/legacy'], want: 'deny[1]' },
  { name: 'a star component never covers two', allow: 'quay.io/x/y/legacy', denies: ['quay.io/*/legacy'], want: undefined },
  { name: 'a component opening with a star', allow: 'quay.io/team/app-worker', denies: ['quay.io/team/*-job', 'quay.io/team/*-worker'], want: 'deny[1]' },
  { name: 'a glued component covers what starts with its text', allow: 'quay.io/team/legacy-1', denies: ['quay.io/team/leg-x*', 'quay.io/team/legacy-*'], want: 'deny[1]' },
  { name: 'a glued component covers its text alone', allow: 'quay.io/team/legacy', denies: ['quay.io/team/legacy*'], want: 'deny[0]' },
  { name: 'a glued component covers a narrower glued one', allow: 'quay.io/team/legacy-1*', denies: ['quay.io/team/legacy-*'], want: 'deny[0]' },
  { name: 'a glued component misses other text', allow: 'quay.io/team/app-1', denies: ['quay.io/team/legacy-*', 'quay.io/team/ap-*'], want: undefined },
  { name: 'a glued component never covers a star', allow: 'quay.io/team/*', denies: ['quay.io/team/legacy-*'], want: undefined },
  { name: 'a globstar after a glued component', allow: 'quay.io/a-1/b/c', denies: ['quay.io/a-*/**'], want: 'deny[0]' },
  { name: 'nothing but a globstar covers a globstar', allow: 'quay.io/a/**', denies: ['quay.io/*/*', 'quay.io/a-*/**', 'quay.io/*/**'], want: 'deny[2]' },
  { name: 'after a globstar, the last component pairs with the last', allow: 'quay.io/a/b/legacy', denies: ['quay.io/**/other', 'quay.io/**/legacy'], want: 'deny[1]' },
  { name: 'after a globstar, an earlier component is not the last', allow: 'quay.io/legacy/b', denies: ['quay.io/**/legacy'], want: undefined },
  { name: 'after a globstar, a component glued at its end', allow: 'quay.io/a/app-worker', denies: ['**/*-job', '**/*-worker'], want: 'deny[1]' },
  { name: 'after a globstar, a component glued at its end covers its text alone', allow: 'quay.io/a/worker', denies: ['**/*worker'], want: 'deny[0]' },
  { name: 'after a globstar, a component ending in a star', allow: 'quay.io/a/legacy-1', denies: ['quay.io/**/legacy-*'], want: 'deny[0]' },
  { name: 'components between two globstars', allow: 'quay.io/a/x/b/c', denies: ['quay.io/**/y/**/c', 'quay.io/**/x/**/c'], want: 'deny[1]' },
  { name: 'an allow ending in a globstar is not covered by a literal last component', allow: 'quay.io/a/**', denies: ['quay.io/**/a'], want: undefined },
  { name: 'tag: same tag', allow: 'quay.io/a:1', denies: ['quay.io/a:2', 'quay.io/a:1'], want: 'deny[1]' },
  { name: 'tag: every tag is not one tag', allow: 'quay.io/a', denies: ['quay.io/a:1'], want: undefined },
  { name: 'tag glob covers a tag', allow: 'quay.io/a:1.2', denies: ['quay.io/a:1.*'], want: 'deny[0]' },
  { name: 'digest: same digest, the tag beside it ignored', allow: `quay.io/a:9@${DIGEST_A}`, denies: [`quay.io/a@${DIGEST_B}`, `quay.io/a@${DIGEST_A}`], want: 'deny[1]' },
  { name: 'a tag deny never covers a digest allow', allow: `quay.io/a:1@${DIGEST_A}`, denies: ['quay.io/a:1'], want: undefined },
  { name: 'a repository deny covers a digest allow', allow: `quay.io/a@${DIGEST_A}`, denies: ['quay.io/a:1', 'quay.io/a'], want: 'deny[1]' },
  { name: 'IPv6 host', allow: '[::1]:5000/app', denies: ['*/**', '[::1]/app'], want: 'deny[1]' },
  { name: 'a crowded bucket still gives the earliest', allow: 'quay.io/a:7', denies: [...Array.from({ length: 20 }, (_, index) => `quay.io/a:${index + 10}`), 'quay.io/*:7', 'quay.io/a:7'], want: 'deny[20]' },
])('$name', ({ allow, denies, want }) => {
  expect(findCover(allow, denies)).toEqual({ indexed: want, scanned: want });
});
