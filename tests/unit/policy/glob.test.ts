import { ComponentGlob, StarGlob } from '../../../src/policy/glob';

describe('StarGlob', () => {
  test.each([
    { name: 'literal matches itself', glob: 'nginx', text: 'nginx', want: true },
    { name: 'literal is not a prefix match', glob: 'nginx', text: 'nginx-evil', want: false },
    { name: 'literal is not a substring match', glob: 'grafana', text: 'xgrafanax', want: false },
    { name: 'star alone matches anything', glob: '*', text: 'anything-at-all', want: true },
    { name: 'star alone matches empty', glob: '*', text: '', want: true },
    { name: 'trailing star is the author asking for a prefix', glob: 'nginx*', text: 'nginx-evil', want: true },
    { name: 'leading star', glob: '*-exporter', text: 'node-exporter', want: true },
    { name: 'leading star needs the suffix', glob: '*-exporter', text: 'node-exporter-x', want: false },
    { name: 'inner star', glob: 'v1.*.3', text: 'v1.22.3', want: true },
    { name: 'inner star keeps both ends', glob: 'v1.*.3', text: 'v1.22.4', want: false },
    { name: 'prefix and suffix cannot overlap', glob: 'ab*ba', text: 'aba', want: false },
    { name: 'several stars in order', glob: 'a*b*c', text: 'axxbyyc', want: true },
    { name: 'several stars out of order', glob: 'a*b*c', text: 'axxcyyb', want: false },
    { name: 'middle literal must fit before the suffix', glob: 'a*bc*c', text: 'abc', want: false },
  ])('$name', ({ glob, text, want }) => {
    expect(new StarGlob(glob).matches(text)).toBe(want);
  });

  test('hostile glob against a long component stays fast', () => {
    const glob = new StarGlob(`${'a*'.repeat(50)}c*a`);
    const text = 'a'.repeat(4096);
    const started = process.hrtime.bigint();
    expect(glob.matches(text)).toBe(false);
    // Generous bound: a backtracking matcher takes minutes here; this one takes microseconds.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(100);
  });
});

describe('ComponentGlob', () => {
  const glob = (path: string) => new ComponentGlob(path.split('/').map((part) => (part === '**' ? null : new StarGlob(part))));

  test.each([
    { name: 'exact components', path: 'library/nginx', components: 'library/nginx', want: true },
    { name: 'component count must agree', path: 'library/nginx', components: 'library/nginx/x', want: false },
    { name: 'star stays inside one component', path: 'myorg/*', components: 'myorg/a/b', want: false },
    { name: 'star matches one component', path: 'myorg/*', components: 'myorg/app', want: true },
    { name: 'star never reaches into the previous component', path: 'myorg/*', components: 'myorgevil/app', want: false },
    { name: 'globstar matches zero components', path: 'a/**/b', components: 'a/b', want: true },
    { name: 'globstar matches many components', path: 'a/**/b', components: 'a/x/y/z/b', want: true },
    { name: 'globstar keeps the tail', path: 'a/**/b', components: 'a/x/b/c', want: false },
    { name: 'trailing globstar matches one or more', path: 'a/**', components: 'a/b/c', want: true },
    { name: 'leading globstar', path: '**/nginx', components: 'library/nginx', want: true },
    { name: 'two globstars in order', path: '**/x/**/y', components: 'a/x/b/c/y', want: true },
    { name: 'two globstars out of order', path: '**/x/**/y', components: 'a/y/b/x', want: false },
    { name: 'head and tail cannot share a component', path: 'a/**/a', components: 'a', want: false },
  ])('$name', ({ path, components, want }) => {
    expect(glob(path).matches(components.split('/'))).toBe(want);
  });
});
