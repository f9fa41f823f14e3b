// Generated policies for the scaling benchmark: a realistic mix of exact repositories, pinned
// tags, digests, `*` and `**` globs across many registries (some with ports, Docker Hub short
// names among them), a deny list and namespace overlays, plus images that hit and miss it.
// Deterministic: the same size and seed always give the same text and the same images.

/** One generated allow pattern and an image that it (and only a deliberate few others) admits. */
interface GeneratedRule {
  readonly pattern: string;
  readonly hit: string;
}

export interface GeneratedPolicy {
  readonly text: string;
  readonly patternCount: number;
  /** Images some allow pattern admits, spread over the whole list. */
  readonly hits: readonly string[];
  /** Images no allow pattern admits: unknown registries, teams and applications. */
  readonly misses: readonly string[];
}

const DEFAULT_SEED = 0x1ce;
const SAMPLE_IMAGES = 100;
const DENY_SHARE = 0.02;
const OVERLAY_SHARE = 0.03;
const OVERLAY_COUNT = 8;
const HEX = '0123456789abcdef';
const DIGEST_HEX_LENGTH = 64;

/** mulberry32: a tiny seeded PRNG, so generated policies are the same on every machine. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

class Generator {
  private readonly random: () => number;
  private readonly registries: readonly string[];
  private serial = 0;

  constructor(patternCount: number, seed: number) {
    this.random = createRandom(seed);
    // About one registry per hundred patterns: big platforms mirror many registries.
    const count = Math.max(3, Math.round(patternCount / 100));
    this.registries = Array.from({ length: count }, (_, index) => {
      if (index === 0) return 'registry.k8s.io';
      if (index === 1) return 'quay.io';
      if (index % 10 === 2) return `registry-${index}.corp.example:5000`;
      if (index % 10 === 3) return `${100000000000 + index}.dkr.ecr.eu-west-1.amazonaws.com`;
      return `registry-${index}.example.com`;
    });
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private digest(): string {
    let hex = '';
    for (let index = 0; index < DIGEST_HEX_LENGTH; index += 1) hex += HEX[Math.floor(this.random() * HEX.length)];
    return `sha256:${hex}`;
  }

  private version(): string {
    return `${1 + Math.floor(this.random() * 9)}.${Math.floor(this.random() * 30)}.${Math.floor(this.random() * 10)}`;
  }

  /** A repository nobody else generates: every rule gets its own application name. */
  private repository(): { registry: string; team: string; app: string } {
    this.serial += 1;
    return { registry: this.pick(this.registries), team: `team-${Math.floor(this.random() * 50)}`, app: `app-${this.serial}` };
  }

  nextAllow(): GeneratedRule {
    const { registry, team, app } = this.repository();
    const repository = `${registry}/${team}/${app}`;
    const kind = this.random();
    const tag = this.version();
    if (kind < 0.4) return { pattern: repository, hit: `${repository}:${tag}` };
    if (kind < 0.6) return { pattern: `${repository}:${tag}`, hit: `${repository}:${tag}` };
    if (kind < 0.7) {
      const digest = this.digest();
      return { pattern: `${repository}@${digest}`, hit: `${repository}@${digest}` };
    }
    if (kind < 0.8) return { pattern: `${repository}-*`, hit: `${repository}-worker:${tag}` };
    if (kind < 0.85) return { pattern: `${repository}:v${tag.split('.')[0]}.*`, hit: `${repository}:v${tag}` };
    if (kind < 0.92) return { pattern: `${registry}/${team}/${app}/**`, hit: `${registry}/${team}/${app}/jobs/nightly:${tag}` };
    if (kind < 0.96) return { pattern: `${team}/${app}`, hit: `docker.io/${team}/${app}:${tag}` };
    return { pattern: `${registry}/${team}/*/${app}`, hit: `${registry}/${team}/batch/${app}:${tag}` };
  }

  nextDeny(): string {
    const { registry, team, app } = this.repository();
    return this.random() < 0.5 ? `${registry}/${team}/${app}:debug` : `${registry}/${team}/legacy-${app}-*`;
  }

  nextMiss(): string {
    const tag = this.version();
    const kind = this.random();
    if (kind < 0.4) return `${this.pick(this.registries)}/team-${Math.floor(this.random() * 50)}/unlisted-${Math.floor(this.random() * 1e6)}:${tag}`;
    if (kind < 0.7) return `unknown-${Math.floor(this.random() * 1e6)}.example.org/team/app:${tag}`;
    return `docker.io/library/unlisted-${Math.floor(this.random() * 1e6)}:${tag}`;
  }

  sample<T>(items: readonly T[], count: number): T[] {
    return Array.from({ length: count }, () => this.pick(items));
  }
}

function yamlList(indent: string, items: readonly string[]): string {
  return items.map((item) => `${indent}- "${item}"\n`).join('');
}

/** A policy with `patternCount` patterns in all (allow, deny and overlays together). */
export function generatePolicy(patternCount: number, seed = DEFAULT_SEED): GeneratedPolicy {
  const generator = new Generator(patternCount, seed);
  const denyCount = Math.max(1, Math.floor(patternCount * DENY_SHARE));
  const overlayCount = Math.floor(patternCount * OVERLAY_SHARE);
  // `**:latest` is one of the deny patterns: a moving tag is never an approval.
  const deny = ['**:latest', ...Array.from({ length: denyCount - 1 }, () => generator.nextDeny())];
  const rules = Array.from({ length: patternCount - denyCount - overlayCount }, () => generator.nextAllow());
  const overlays = Array.from({ length: OVERLAY_COUNT }, (_, index) => ({
    names: [`tenant-${index}-*`],
    allow: Array.from({ length: Math.floor(overlayCount / OVERLAY_COUNT) + (index < overlayCount % OVERLAY_COUNT ? 1 : 0) }, () => generator.nextAllow().pattern),
  })).filter((overlay) => overlay.allow.length > 0);

  let text = `apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: generated-${patternCount}\nmode: enforce\n`;
  text += `allow:\n${yamlList('  ', rules.map((rule) => rule.pattern))}`;
  text += `deny:\n${yamlList('  ', deny)}`;
  if (overlays.length > 0) {
    text += 'namespaces:\n';
    for (const overlay of overlays) text += `  - names: ["${overlay.names[0]}"]\n    allow:\n${yamlList('      ', overlay.allow)}`;
  }
  return {
    text,
    patternCount: rules.length + deny.length + overlays.reduce((sum, overlay) => sum + overlay.allow.length, 0),
    hits: generator.sample(rules, SAMPLE_IMAGES).map((rule) => rule.hit),
    misses: Array.from({ length: SAMPLE_IMAGES }, () => generator.nextMiss()),
  };
}
