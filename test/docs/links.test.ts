import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DOCS, GUIDES, ROOT } from './docs.js';

// The README and the guides link to each other: every relative link must reach a file that
// exists and, with a #fragment, a heading in it, so moving or renaming a section cannot leave
// a dead link behind.

interface Link { doc: string; line: number; target: string }

const read = (doc: string) => readFileSync(path.join(ROOT, doc), 'utf8');

/** The lines of a document outside fenced code blocks, with inline code spans blanked out. */
function prose(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) out.push({ line: i + 1, text: line.replace(/(`+)(.+?)\1(?!`)/g, '') });
  });
  return out;
}

function links(doc: string): Link[] {
  return prose(read(doc)).flatMap(({ line, text }) =>
    [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ doc, line, target: m[1]! })));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2… */
function anchors(doc: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { text } of prose(read(doc).replace(/`/g, ''))) {
    const heading = /^#{1,6}\s+(.*?)\s*$/.exec(text);
    if (!heading) continue;
    const base = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const all = DOCS.flatMap(links);
const relative = all.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));

describe('links between the documents', () => {
  it('are there: the README links to its guides and the guides to each other', () => {
    expect(relative.filter((l) => l.doc === 'README.md').length).toBeGreaterThanOrEqual(GUIDES.length);
    expect(relative.filter((l) => l.doc.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  });

  it('reach a file that exists and, with a #fragment, a heading in it', () => {
    const dead: string[] = [];
    for (const l of relative) {
      const [file, fragment] = l.target.split('#', 2) as [string, string | undefined];
      const target = file === '' ? l.doc : path.posix.normalize(path.posix.join(path.posix.dirname(l.doc), decodeURI(file)));
      const where = `${l.doc}:${l.line}: ${l.target}`;
      if (target.startsWith('..') || !existsSync(path.join(ROOT, target))) dead.push(`${where} (no file ${target})`);
      else if (fragment !== undefined) {
        if (!target.endsWith('.md') || statSync(path.join(ROOT, target)).isDirectory()) dead.push(`${where} (a #fragment on a file that is not Markdown)`);
        else if (!anchors(target).has(fragment)) dead.push(`${where} (no heading "${fragment}" in ${target}; it has ${[...anchors(target)].join(', ')})`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('reach every guide from the README', () => {
    const fromReadme = new Set(relative.filter((l) => l.doc === 'README.md').map((l) => l.target.split('#')[0]));
    expect(GUIDES.filter((g) => !fromReadme.has(g)), 'add each guide to the README\'s "Guides" table').toEqual([]);
  });

  it('find headings as GitHub names them', () => {
    // The rule the checks above rely on, on headings of the kind the guides use.
    expect(anchors('docs/session.md')).toContain('replies-of-any-size-streamto');
    expect(anchors('README.md')).toContain('what-the-device-said-deviceerror-and-rpcerror');
    expect(anchors('docs/cli.md')).toContain('exit-status');
  });
});

describe('the README', () => {
  it('is a front page: at most 500 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(500);
  });
});
