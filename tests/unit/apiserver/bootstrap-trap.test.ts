// The bootstrap trap is told once, by the README `make apiserver-config` writes (the committed copy
// in apiserver-config/ is checked against a regeneration in unit/cli/apiserver-config.test.ts).
// Every other page that names the trap in a heading links to that section instead of telling it
// again: the retold copies had drifted.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BOOTSTRAP_TRAP_HEADING, README_FILE } from '../../../src/apiserver';
import { PROJECT_ROOT } from '../../support/paths';

const GENERATED_DIR = 'apiserver-config';
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', GENERATED_DIR, '.git']);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function listMarkdown(folder: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) || entry.name.startsWith('.') ? [] : listMarkdown(relative);
    return entry.name.endsWith('.md') ? [relative] : [];
  });
}

/** Each section (heading to the next heading of the same or a higher level) whose heading names the trap. */
function trapSections(markdown: string): { heading: string; body: string }[] {
  const lines = markdown.split('\n');
  const sections: { heading: string; body: string }[] = [];
  lines.forEach((line, index) => {
    const match = /^(#+) (.*)$/.exec(line);
    if (match === null || !/bootstrap trap/i.test(match[2] ?? '')) return;
    const level = match[1]?.length ?? 1;
    const end = lines.findIndex((other, at) => at > index && /^(#+) /.test(other) && (/^(#+) /.exec(other)?.[1]?.length ?? 0) <= level);
    sections.push({ heading: match[2] ?? '', body: lines.slice(index + 1, end < 0 ? undefined : end).join('\n') });
  });
  return sections;
}

describe('pages that name the trap link to the generated section instead of retelling it', () => {
  const pages = listMarkdown('.').flatMap((file) => trapSections(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')).map((section) => ({ file, ...section })));

  test('the deploy guide is among them, and the README points at the generated section', () => {
    expect(pages.map(({ file }) => file)).toEqual(expect.arrayContaining([path.join('deploy', 'README.md')]));
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`](${GENERATED_DIR}/${README_FILE}#${anchorOf(BOOTSTRAP_TRAP_HEADING)})`);
  });

  test.each(pages.map((page) => ({ ...page, name: `${page.file}: ${page.heading}` })))('$name', ({ file, body }) => {
    const target = path.relative(path.dirname(path.join(PROJECT_ROOT, file)), path.join(PROJECT_ROOT, GENERATED_DIR, README_FILE));
    expect(body).toContain(`](${target}#${anchorOf(BOOTSTRAP_TRAP_HEADING)})`);
    expect(body).not.toMatch(/^\s*- /m);
  });
});
