// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with .d.ts declarations, from lib/.
// Usage: node scripts/build.mjs [outDir]   (default: dist)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const outDir = resolve(process.argv[2] ?? 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(outDir, { recursive: true, force: true });
const builds = [
  { dir: 'esm', type: 'module', args: ['--module', 'NodeNext', '--moduleResolution', 'NodeNext'] },
  { dir: 'cjs', type: 'commonjs', args: ['--module', 'CommonJS', '--moduleResolution', 'Node10', '--verbatimModuleSyntax', 'false'] },
];
for (const build of builds) {
  const target = join(outDir, build.dir);
  // The maps point at lib/*.ts, which is not in the package: --inlineSources puts each source in its map (sourcesContent).
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', target, '--inlineSources', ...build.args], { stdio: 'inherit' });
  // Each half says what kind of module its .js files are, whatever the package root says.
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'package.json'), `${JSON.stringify({ type: build.type }, null, 2)}\n`);
}
console.log(`built ${outDir}/esm and ${outDir}/cjs`);
