import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { allFences, checkSnippets } from './snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('documentation snippets (README.md, docs/*.md)', function () {
  this.timeout(120_000);

  it('every fenced block names its language, so no TypeScript escapes the check', function () {
    const bare = allFences(root).filter((fence) => fence.language === '');
    expect(bare.map((fence) => `${fence.file}:${fence.line}`), 'fences without a language (use ts, sh or text)').to.deep.equal([]);
  });

  it('every ts snippet type-checks under strict settings and module nodenext (tsconfig.snippets.json)', function () {
    const { checked, errors } = checkSnippets(root);
    expect(checked, 'snippets found').to.be.greaterThan(0);
    const listing = errors.map((error) => `${error.where}: ${error.message}`).join('\n');
    expect(errors.length, `snippets that do not compile (extracted to .tmp/snippets/):\n${listing}\n`).to.equal(0);
  });
});
