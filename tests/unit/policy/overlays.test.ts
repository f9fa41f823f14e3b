// Namespace overlays, audit mode, break-glass and requireDigest: the settings that change how
// the same image verdicts turn into the answer for kube-apiserver.
import { BREAK_GLASS_ANNOTATION, type CompiledPolicy, evaluate } from '../../../src/policy';
import { DIGEST, buildPolicy, buildReview } from './policies';

const PINNED = `quay.io/app@${DIGEST}`;

describe('namespace overlays', () => {
  const policy = buildPolicy({
    allow: ['quay.io/**'],
    deny: ['**:latest'],
    namespaces: [
      { names: ['kube-system'], allow: ['registry.k8s.io/**'] },
      { names: ['dev-*'], mode: 'audit', deny: ['quay.io/secret/**'] },
      { names: ['dev-strict'], mode: 'enforce' },
      { names: ['team-[ab]', 'payments'], requireDigest: true },
    ],
  });

  test.each([
    { name: 'overlay adds an allow pattern in its namespace', namespace: 'kube-system', image: 'registry.k8s.io/pause:3.9', allowed: true, rule: 'namespaces[0].allow[0] registry.k8s.io/**' },
    { name: 'overlay allow stays in its namespace', namespace: 'default', image: 'registry.k8s.io/pause:3.9', allowed: false, rule: 'no allow pattern matches' },
    { name: 'global deny still applies under an overlay', namespace: 'kube-system', image: 'registry.k8s.io/pause:latest', allowed: false, rule: 'deny[0] **:latest' },
    { name: 'global allow still applies under an overlay', namespace: 'kube-system', image: 'quay.io/app:1', allowed: true, rule: 'allow[0] quay.io/**' },
    { name: 'overlay adds a deny pattern', namespace: 'dev-1', image: 'quay.io/secret/x:1', allowed: false, rule: 'namespaces[1].deny[0] quay.io/secret/**' },
    { name: 'overlay deny stays in its namespace', namespace: 'default', image: 'quay.io/secret/x:1', allowed: true, rule: 'allow[0] quay.io/**' },
    { name: 'names glob matches the whole name, not a suffix', namespace: 'mydev-1', image: 'quay.io/secret/x:1', allowed: true, rule: 'allow[0] quay.io/**' },
    { name: 'names glob matches the whole name, not a prefix', namespace: 'kube-system-x', image: 'registry.k8s.io/pause:3.9', allowed: false, rule: 'no allow pattern matches' },
    { name: 'character class', namespace: 'team-b', image: 'quay.io/app:1', allowed: false, rule: 'requireDigest: not pinned by digest' },
    { name: 'character class refuses others', namespace: 'team-c', image: 'quay.io/app:1', allowed: true, rule: 'allow[0] quay.io/**' },
    { name: 'second name of an overlay', namespace: 'payments', image: PINNED, allowed: true, rule: 'allow[0] quay.io/**' },
  ])('$name', ({ namespace, image, allowed, rule }) => {
    const verdict = evaluate(policy, buildReview([image], namespace)).images[0];
    expect(verdict).toMatchObject({ allowed, rule });
  });

  test.each([
    { name: 'no overlay: global mode', namespace: 'default', mode: 'enforce' },
    { name: 'overlay overrides mode', namespace: 'dev-1', mode: 'audit' },
    { name: 'later overlay wins', namespace: 'dev-strict', mode: 'enforce' },
  ])('$name', ({ namespace, mode }) => {
    expect(evaluate(policy, buildReview(['nginx'], namespace)).mode).toBe(mode);
  });
});

describe('audit mode', () => {
  test.each([
    { name: 'global audit allows a would-be denial', fields: { mode: 'audit' }, namespace: 'default' },
    { name: 'overlay audit allows a would-be denial', fields: { namespaces: [{ names: ['dev-*'], mode: 'audit' }] }, namespace: 'dev-x' },
  ])('$name', ({ fields, namespace }) => {
    const decision = evaluate(buildPolicy({ allow: ['quay.io/**'], ...fields }), buildReview(['nginx', 'quay.io/a:1'], namespace));
    expect(decision).toMatchObject({ allowed: true, enforcedAllowed: false, mode: 'audit', breakGlass: false });
    expect(decision.reason).toMatch(/^image "nginx" \(docker.io\/library\/nginx:latest\) matches no allow pattern/);
    expect(decision.images.map((verdict) => verdict.allowed)).toEqual([false, true]);
  });

  test('overlay enforce inside a global audit denies', () => {
    const policy = buildPolicy({ mode: 'audit', namespaces: [{ names: ['prod'], mode: 'enforce' }] });
    expect(evaluate(policy, buildReview(['nginx'], 'prod'))).toMatchObject({ allowed: false, enforcedAllowed: false, mode: 'enforce' });
  });

  test('an allowed review in audit mode has no reason', () => {
    const decision = evaluate(buildPolicy({ mode: 'audit', allow: ['**'] }), buildReview(['nginx:1']));
    expect(decision).toMatchObject({ allowed: true, enforcedAllowed: true });
    expect(decision.reason).toBeUndefined();
  });
});

describe('break-glass', () => {
  const globalOn = buildPolicy({ allow: ['quay.io/**'], breakGlass: true });
  const globalOff = buildPolicy({ allow: ['quay.io/**'] });
  const overlayOn = buildPolicy({ allow: ['quay.io/**'], namespaces: [{ names: ['incident'], breakGlass: true }] });
  const overlayOff = buildPolicy({ allow: ['quay.io/**'], breakGlass: true, namespaces: [{ names: ['locked'], breakGlass: false }] });
  const asking = { [BREAK_GLASS_ANNOTATION]: 'true' };

  test.each<{ name: string; policy: CompiledPolicy; namespace: string; annotations: Record<string, string>; allowed: boolean; breakGlass: boolean }>([
    { name: 'enabled and asked: allowed and said so', policy: globalOn, namespace: 'default', annotations: asking, allowed: true, breakGlass: true },
    { name: 'enabled, not asked', policy: globalOn, namespace: 'default', annotations: {}, allowed: false, breakGlass: false },
    { name: 'enabled, value "True" is not "true"', policy: globalOn, namespace: 'default', annotations: { [BREAK_GLASS_ANNOTATION]: 'True' }, allowed: false, breakGlass: false },
    { name: 'enabled, value "yes" is not "true"', policy: globalOn, namespace: 'default', annotations: { [BREAK_GLASS_ANNOTATION]: 'yes' }, allowed: false, breakGlass: false },
    { name: 'enabled, empty value', policy: globalOn, namespace: 'default', annotations: { [BREAK_GLASS_ANNOTATION]: '' }, allowed: false, breakGlass: false },
    { name: 'enabled, look-alike key', policy: globalOn, namespace: 'default', annotations: { 'beta.image-policy.k8s.io/break-glass': 'true' }, allowed: false, breakGlass: false },
    { name: 'disabled: annotation ignored', policy: globalOff, namespace: 'default', annotations: asking, allowed: false, breakGlass: false },
    { name: 'overlay enables in its namespace', policy: overlayOn, namespace: 'incident', annotations: asking, allowed: true, breakGlass: true },
    { name: 'overlay enablement stays in its namespace', policy: overlayOn, namespace: 'default', annotations: asking, allowed: false, breakGlass: false },
    { name: 'overlay disables in its namespace', policy: overlayOff, namespace: 'locked', annotations: asking, allowed: false, breakGlass: false },
  ])('$name', ({ policy, namespace, annotations, allowed, breakGlass }) => {
    const decision = evaluate(policy, buildReview(['nginx', 'quay.io/a:1'], namespace, annotations));
    expect(decision).toMatchObject({ allowed, breakGlass, enforcedAllowed: false, mode: 'enforce' });
    // The would-be denial is still reported, so the audit trail shows what break-glass let in.
    expect(decision.reason).toMatch(/^image "nginx"/);
  });

  test('honoured break-glass on an allowed review is still reported', () => {
    const decision = evaluate(globalOn, buildReview(['quay.io/a:1'], 'default', asking));
    expect(decision).toMatchObject({ allowed: true, enforcedAllowed: true, breakGlass: true });
  });

  test('an inherited annotation key on the prototype is not the annotation', () => {
    const annotations = Object.create({ [BREAK_GLASS_ANNOTATION]: 'true' }) as Record<string, string>;
    expect(evaluate(globalOn, buildReview(['nginx'], 'default', annotations)).allowed).toBe(false);
  });
});

describe('requireDigest', () => {
  test.each([
    { name: 'global: tag only is denied', fields: { requireDigest: true }, namespace: 'default', image: 'quay.io/a:1', allowed: false },
    { name: 'global: digest is allowed', fields: { requireDigest: true }, namespace: 'default', image: PINNED, allowed: true },
    { name: 'global: tag and digest is allowed', fields: { requireDigest: true }, namespace: 'default', image: `quay.io/a:1@${DIGEST}`, allowed: true },
    { name: 'off by default', fields: {}, namespace: 'default', image: 'quay.io/a:1', allowed: true },
    { name: 'overlay turns it on', fields: { namespaces: [{ names: ['prod'], requireDigest: true }] }, namespace: 'prod', image: 'quay.io/a:1', allowed: false },
    { name: 'overlay on stays in its namespace', fields: { namespaces: [{ names: ['prod'], requireDigest: true }] }, namespace: 'dev', image: 'quay.io/a:1', allowed: true },
    { name: 'overlay turns it off', fields: { requireDigest: true, namespaces: [{ names: ['dev'], requireDigest: false }] }, namespace: 'dev', image: 'quay.io/a:1', allowed: true },
  ])('$name', ({ fields, namespace, image, allowed }) => {
    const decision = evaluate(buildPolicy({ allow: ['quay.io/**'], ...fields }), buildReview([image], namespace));
    expect(decision.allowed).toBe(allowed);
    if (!allowed) expect(decision.images[0]?.rule).toBe('requireDigest: not pinned by digest');
  });

  test('a deny pattern is reported before a missing digest', () => {
    const policy = buildPolicy({ allow: ['**'], deny: ['quay.io/bad'], requireDigest: true });
    expect(evaluate(policy, buildReview(['quay.io/bad:1'])).images[0]?.rule).toBe('deny[0] quay.io/bad');
  });
});
