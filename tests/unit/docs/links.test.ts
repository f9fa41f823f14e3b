// Every relative link in the project's Markdown resolves: the file or folder it names exists inside
// the repository, and a `#fragment` names a heading of the page it points to, spelled the way
// GitHub spells heading anchors. Links to other sites (https:, mailto:) are not followed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../support/paths';

const ROOT = PROJECT_ROOT;
const TOP_LEVEL_PAGES = ['README.md', 'SECURITY.md'];
const PAGE_FOLDERS = ['docs', 'deploy', 'bench', 'apiserver-config', 'pki'];

/** What the checker needs to know about the repository; the real one reads the disk. */
interface Site {
  /** Repository-relative POSIX path -> 'file', 'directory', or undefined when absent. */
  kind(relativePath: string): 'file' | 'directory' | undefined;
  /** Anchors of a Markdown page (repository-relative path). */
  anchors(relativePath: string): ReadonlySet<string>;
}

interface Link {
  readonly line: number;
  readonly target: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The text with fenced code blocks blanked (lines kept, so line numbers still match). */
function blankFencedCode(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const opening = FENCE.exec(line)?.[1];
    if (fence === undefined) {
      if (opening === undefined) return line;
      fence = opening;
      return '';
    }
    if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length && line.trim() === opening) fence = undefined;
    return '';
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped (letters, digits, `_`, `-` kept), spaces to `-`. */
function slugifyHeading(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '');
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a page offers: its headings (repeats numbered -1, -2, ... as GitHub does) and `<a id|name>`. */
function listAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of blankFencedCode(markdown)) {
    const heading = HEADING.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = slugifyHeading(heading);
      const repeats = seen.get(slug) ?? 0;
      seen.set(slug, repeats + 1);
      anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
  }
  return anchors;
}

/** Inline links and images, reference definitions and HTML hrefs, outside code. */
function listLinks(markdown: string): Link[] {
  const links: Link[] = [];
  blankFencedCode(markdown).forEach((text, index) => {
    const line = text.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]),
      ...[...line.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g)].map((match) => match[1]),
      ...[...line.matchAll(/\bhref="([^"]+)"/g)].map((match) => match[1]),
    ];
    for (const target of targets) if (target !== undefined) links.push({ line: index + 1, target });
  });
  return links;
}

/** One message per link of `page` (a repository-relative path) that does not resolve. */
function findBrokenLinks(page: string, markdown: string, site: Site): string[] {
  const broken: string[] = [];
  for (const { line, target } of listLinks(markdown)) {
    if (SCHEME.test(target)) continue;
    const fail = (why: string): void => {
      broken.push(`${page}:${line}: ${target}: ${why}`);
    };
    const hash = target.indexOf('#');
    const pathPart = decodeURI(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === '' ? page : pathPart.startsWith('/') ? path.posix.normalize(pathPart.slice(1)) : path.posix.join(path.posix.dirname(page), pathPart);
    if (resolved === '..' || resolved.startsWith('../')) {
      fail('points outside the repository');
      continue;
    }
    const kind = site.kind(resolved.replace(/\/$/, '') || '.');
    if (kind === undefined) {
      fail(`${resolved} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (kind !== 'file' || !resolved.endsWith('.md')) fail(`an anchor can only be checked on a Markdown page, and ${resolved} is not one`);
    else if (!site.anchors(resolved).has(anchor)) fail(`${resolved} has no heading with the anchor #${anchor}`);
  }
  return broken;
}

function listMarkdownPages(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(folder, entry.name);
    if (entry.name.startsWith('.') || entry.name === 'node_modules') return [];
    if (entry.isDirectory()) return listMarkdownPages(relative);
    return entry.isFile() && entry.name.endsWith('.md') ? [relative] : [];
  });
}

const diskSite: Site = {
  kind(relativePath) {
    try {
      const stats = statSync(path.join(ROOT, relativePath));
      return stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
  anchors: (relativePath) => listAnchors(readFileSync(path.join(ROOT, relativePath), 'utf8')),
};

const PAGES = [...TOP_LEVEL_PAGES, ...PAGE_FOLDERS.flatMap((folder) => listMarkdownPages(folder))];

test.each([
  { name: 'words and a colon', heading: 'Operating it: live reload, certificate rotation', want: 'operating-it-live-reload-certificate-rotation' },
  { name: 'code and an em dash', heading: "`pki` — create the webhook's certificates", want: 'pki--create-the-webhooks-certificates' },
  { name: 'numbered step', heading: '2a. Docker Compose', want: '2a-docker-compose' },
  { name: 'underscores kept', heading: '`image_policy_webhook_reviews_total`', want: 'image_policy_webhook_reviews_total' },
  { name: 'bold and a link', heading: '**Bold** and [a link](https://example.com)', want: 'bold-and-a-link' },
  { name: 'arrows and slashes dropped', heading: 'CI → report directory / webhook', want: 'ci--report-directory--webhook' },
])('GitHub heading anchor: $name', ({ heading, want }) => {
  expect(slugifyHeading(heading)).toBe(want);
});

test('a repeated heading gets -1, -2 like on GitHub, and explicit anchors count', () => {
  expect([...listAnchors('# Setup\n## Setup\n### Setup\n<a id="custom"></a>\n')]).toEqual(['setup', 'setup-1', 'setup-2', 'custom']);
});

test('links inside code are not links; reference definitions and hrefs are', () => {
  const markdown = [
    'See [policy](docs/policy.md#semantics) and `[not](a-link.md)`.',
    '```sh',
    'echo "[not](a-link-either.md)"',
    '```',
    '[ref]: deploy/README.md',
    '<a href="SECURITY.md">security</a> ![plot](bench/results/scaling.svg)',
  ].join('\n');
  expect(listLinks(markdown)).toEqual([
    { line: 1, target: 'docs/policy.md#semantics' },
    { line: 5, target: 'deploy/README.md' },
    { line: 6, target: 'bench/results/scaling.svg' },
    { line: 6, target: 'SECURITY.md' },
  ]);
});

const FAKE_FILES: Record<string, 'file' | 'directory'> = { 'docs/policy.md': 'file', docs: 'directory', 'bench/results/latest.json': 'file', 'README.md': 'file' };
const FAKE_SITE: Site = {
  kind: (relativePath) => FAKE_FILES[relativePath],
  anchors: (relativePath) => new Set(relativePath === 'docs/policy.md' ? ['semantics'] : ['setup']),
};

test.each([
  { name: 'existing page and anchor', link: 'policy.md#semantics', broken: [] },
  { name: 'folder', link: '../docs/', broken: [] },
  { name: 'same-page anchor', link: '#semantics', broken: [] },
  { name: 'other site', link: 'https://example.com/missing#nowhere', broken: [] },
  { name: 'missing page', link: 'polcy.md', broken: ['docs/policy.md:1: polcy.md: docs/polcy.md does not exist'] },
  { name: 'missing anchor', link: 'policy.md#semantic', broken: ['docs/policy.md:1: policy.md#semantic: docs/policy.md has no heading with the anchor #semantic'] },
  { name: 'anchor on a non-Markdown file', link: '../bench/results/latest.json#L1', broken: ['docs/policy.md:1: ../bench/results/latest.json#L1: an anchor can only be checked on a Markdown page, and bench/results/latest.json is not one'] },
  { name: 'outside the repository', link: '../../etc/passwd', broken: ['docs/policy.md:1: ../../etc/passwd: points outside the repository'] },
  { name: 'repository-root path', link: '/README.md#setup', broken: [] },
])('the checker: $name', ({ link, broken }) => {
  expect(findBrokenLinks('docs/policy.md', `[x](${link})`, FAKE_SITE)).toEqual(broken);
});

test('the pages checked include the README, SECURITY.md and a page in every folder', () => {
  for (const page of ['README.md', 'SECURITY.md', 'docs/policy.md', 'deploy/README.md', 'bench/README.md', 'apiserver-config/README.md', 'pki/README.md']) {
    expect(PAGES).toContain(page);
  }
});

test.each(PAGES.map((page) => ({ page })))('every relative link in $page resolves', ({ page }) => {
  expect(findBrokenLinks(page, readFileSync(path.join(ROOT, page), 'utf8'), diskSite)).toEqual([]);
});

test('the README links every page in docs/', () => {
  const linked = new Set(listLinks(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map(({ target }) => path.posix.normalize(target.split('#')[0] ?? '')));
  expect(listMarkdownPages('docs').filter((page) => !linked.has(page))).toEqual([]);
});
