#!/usr/bin/env node
// Browser build check (issue 6).
//
// 1. Bundles the sample page (test/browser/page/app.ts) from lib/ with esbuild, platform browser,
//    no shims or polyfills, into test/browser/output/page/.
// 2. Fails when Node-only code reaches a bundle:
//    - any import of a Node built-in (`node:*`, or a bare `fs`, `buffer`, ...), wherever it comes from;
//    - any free reference to Node's globals `Buffer` or `process` (or `require`, `__dirname`, the
//      `NodeJS` namespace) in our own code that the bundle contains. They are found by type-checking
//      those files with the DOM library only and no @types/node. Feature detection through
//      `globalThis` (`(globalThis as { Buffer?: ... }).Buffer`) is allowed: it is not a free reference.
// 3. Measures the core bundle (attachCache + MemoryStore; axios, a peer dependency, left out),
//    minified and gzipped, and prints it.
//
// Usage: node scripts/build-browser.mjs [--json]. As a module: `buildBrowser()` and `checkEntry()`.
import { builtinModules } from 'node:module';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE_DIR = join(ROOT, 'test/browser/page');
export const OUTPUT_DIR = join(ROOT, 'test/browser/output/page');

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const isNodeBuiltin = (path) => path.startsWith('node:') || NODE_BUILTINS.has(path) || NODE_BUILTINS.has(path.split('/')[0]);

/** TypeScript codes that mean "this needs Node's types": a Node global, a Node module, the NodeJS namespace. */
const NODE_ONLY_CODES = new Set([2580, 2591, 2503, 2694, 2307, 2304, 2552]);
const NODE_ONLY_NAMES = /'(Buffer|process|require|module|__dirname|__filename|global|NodeJS|node:[^']+)'/;

/** An esbuild plugin that turns every Node built-in import into a build error naming the importer. */
const refuseNodeBuiltins = {
  name: 'refuse-node-builtins',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (!isNodeBuiltin(args.path)) return undefined;
      const importer = relative(ROOT, args.importer) || '(entry)';
      return { errors: [{ text: `Node built-in "${args.path}" imported by ${importer} cannot go into a browser bundle` }] };
    });
  },
};

const baseOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['es2022'],
  metafile: true,
  logLevel: 'silent',
  plugins: [refuseNodeBuiltins],
  absWorkingDir: ROOT,
};

/** Our own source files (not node_modules) that esbuild put into a bundle. */
function ownInputs(metafile) {
  return Object.keys(metafile.inputs).filter((path) => !path.includes('node_modules/') && /\.[cm]?tsx?$/.test(path));
}

/** Free uses of Node globals or modules in `files`, found by a DOM-only type check; one message each. */
export function findNodeReliance(files) {
  const program = ts.createProgram(files.map((file) => resolve(ROOT, file)), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const wanted = new Set(files.map((file) => resolve(ROOT, file)));
  const problems = [];
  for (const diagnostic of program.getSemanticDiagnostics()) {
    const file = diagnostic.file;
    if (file === undefined || !wanted.has(resolve(file.fileName))) continue;
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (!NODE_ONLY_CODES.has(diagnostic.code) || !NODE_ONLY_NAMES.test(text)) continue;
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    problems.push(`${relative(ROOT, file.fileName)}:${line + 1}: ${text}`);
  }
  return problems;
}

/** Bundles one entry in memory (esbuild errors become one readable Error). */
async function bundle(entryPoint, extra = {}) {
  try {
    return await esbuild.build({ ...baseOptions, ...extra, entryPoints: [entryPoint], write: false, outdir: OUTPUT_DIR });
  } catch (error) {
    const messages = (error.errors ?? []).map((message) => message.text);
    throw new Error(`browser bundle of ${relative(ROOT, entryPoint)} failed:\n  ${messages.join('\n  ') || error.message}`);
  }
}

/** Throws an Error listing every free use of Node globals in our own code inside these bundles. */
function assertNoNodeReliance(results, what) {
  const files = [...new Set(results.flatMap((result) => ownInputs(result.metafile)))];
  const problems = findNodeReliance(files);
  if (problems.length > 0) throw new Error(`Node-only code reaches the browser bundle of ${what}:\n  ${problems.join('\n  ')}`);
}

/** Bundles one entry in memory and checks it; throws an Error listing every Node-only use found. */
export async function checkEntry(entryPoint, extra = {}) {
  const result = await bundle(entryPoint, extra);
  assertNoNodeReliance([result], relative(ROOT, entryPoint));
  return result;
}

/** Minified and gzipped size of a bundle's JavaScript, and how much of it lru-cache takes. */
function sizes(result) {
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const lruCacheMinifiedBytes = Object.values(result.metafile.outputs)
    .flatMap((output) => Object.entries(output.inputs))
    .filter(([path]) => path.includes('node_modules/lru-cache/'))
    .reduce((total, [, input]) => total + input.bytesInOutput, 0);
  return { minifiedBytes: code.contents.byteLength, gzippedBytes: gzipSync(code.contents, { level: 9 }).byteLength, lruCacheMinifiedBytes };
}

/**
 * Builds the test page into OUTPUT_DIR (app.js, index.html, mocha's browser build) and the core
 * bundle in memory, checks both, and returns the output directory and the core's size.
 */
export async function buildBrowser() {
  const page = await bundle(join(PAGE_DIR, 'app.ts'), { sourcemap: 'inline' });
  const core = await bundle(join(PAGE_DIR, 'core.ts'), { minify: true, external: ['axios'] });
  assertNoNodeReliance([page, core], 'the test page and the core');
  await mkdir(OUTPUT_DIR, { recursive: true });
  for (const file of page.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
  }
  await copyFile(join(PAGE_DIR, 'index.html'), join(OUTPUT_DIR, 'index.html'));
  for (const name of ['mocha.js', 'mocha.css']) await copyFile(join(ROOT, 'node_modules/mocha', name), join(OUTPUT_DIR, name));
  return { outputDir: OUTPUT_DIR, core: sizes(core) };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { outputDir, core } = await buildBrowser();
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify({ outputDir: relative(ROOT, outputDir), core }));
    } else {
      console.log(`browser page built into ${relative(ROOT, outputDir)} (no Node built-ins, no Buffer/process)`);
      console.log(`core bundle (attachCache + MemoryStore, axios external): ${core.minifiedBytes} B minified, ` +
        `${core.gzippedBytes} B (${kib(core.gzippedBytes)}) minified + gzipped; lru-cache is ${core.lruCacheMinifiedBytes} B of the minified code`);
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
