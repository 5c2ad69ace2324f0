import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { findFences, markdownFiles } from './snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The anchors GitHub gives a markdown file's headings (lower case, punctuation dropped, spaces as hyphens, -1, -2 for repeats). */
function anchors(markdown: string, file: string): Set<string> {
  const inFences = new Set<number>();
  for (const fence of findFences(file, markdown)) {
    for (let line = fence.line; line <= fence.line + fence.code.split('\n').length + 1; line++) inFences.add(line);
  }
  const seen = new Map<string, number>();
  const result = new Set<string>();
  markdown.split('\n').forEach((line, index) => {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null || inFences.has(index + 1)) return;
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  });
  return result;
}

/** Relative links of a markdown file, outside code: `[text](target)`. */
function links(markdown: string, file: string): { target: string; line: number }[] {
  const fenced = new Set<number>();
  for (const fence of findFences(file, markdown)) {
    for (let line = fence.line; line <= fence.line + fence.code.split('\n').length + 1; line++) fenced.add(line);
  }
  const found: { target: string; line: number }[] = [];
  markdown.split('\n').forEach((text, index) => {
    if (fenced.has(index + 1)) return;
    for (const match of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? '';
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) found.push({ target, line: index + 1 });
    }
  });
  return found;
}

describe('documentation links', function () {
  const files = [...markdownFiles(root), 'SECURITY.md', 'CHANGELOG.md', 'benchmarks/README.md', 'conformance/README.md'];

  it('every relative link and anchor of the README, docs/, SECURITY.md and CHANGELOG.md points at something', function () {
    const broken: string[] = [];
    for (const file of files) {
      const markdown = readFileSync(join(root, file), 'utf8');
      for (const { target, line } of links(markdown, file)) {
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? join(root, file) : join(root, dirname(file), path);
        const where = `${file}:${line} → ${target}`;
        if (!existsSync(resolved)) {
          broken.push(`${where} (no ${relative(root, resolved)})`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchors(readFileSync(resolved, 'utf8'), relative(root, resolved)).has(anchor)) {
          broken.push(`${where} (no heading #${anchor})`);
        }
      }
    }
    expect(broken, 'broken links').to.deep.equal([]);
  });
});
