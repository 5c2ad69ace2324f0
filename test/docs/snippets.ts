/**
 * The TypeScript snippets of README.md and docs/*.md, extracted and type-checked so that they cannot rot.
 *
 * Every ```ts (or ```typescript) fence becomes one module under .tmp/snippets/ (git-ignored), checked with
 * tsconfig.snippets.json: the project's strict settings, `module: nodenext`, and `paths` mapping
 * 'axios-http-cache' and its subpaths to lib/. A snippet may use the names of SNIPPET_CONTEXT without
 * declaring them (the reader's own axios instance, cache handle, logger...); everything it takes from the
 * library or another package it imports. A fence that is not meant to compile (shell, output) takes another
 * language (sh, text); a fence with no language at all is refused, so that no TypeScript escapes the check.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const SNIPPET_DIR = '.tmp/snippets';
const CHECKED_LANGUAGES = new Set(['ts', 'typescript']);

/** What a snippet may use without declaring it: things every reader has of their own. */
export const SNIPPET_CONTEXT = `import type { AxiosInstance } from 'axios';
import type { CacheHandle } from 'axios-http-cache';

declare global {
  /** The reader's axios instance, with a cache attached. */
  const api: AxiosInstance;
  /** The handle attachCache() returned for it. */
  const cache: CacheHandle;
  /** The reader's logger and metrics. */
  const log: { info(message: string): void; warn(message: string, error?: unknown): void };
  const logger: { debug(message: string, details?: unknown): void };
  const metrics: { increment(name: string): void };
  /** The reader's current tracing span, if any. */
  const span: { addEvent(name: string, attributes?: Record<string, unknown>): void } | undefined;
}
`;

export interface Fence {
  /** The markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
}

/** Every fenced code block of a markdown text (``` or ~~~, possibly indented inside a list). */
export function findFences(file: string, markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, indent = '', marker = '```', language = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const text = lines[j] ?? '';
      if (text.trim().startsWith(marker) && text.trim().replace(/[`~]/g, '') === '') break;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
    }
    fences.push({ file, line: i + 1, language: language.toLowerCase(), code: body.join('\n') });
    i = j;
  }
  return fences;
}

/** README.md and every docs/*.md, in a stable order. */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

export function allFences(root: string): Fence[] {
  return markdownFiles(root).flatMap((file) => findFences(file, readFileSync(join(root, file), 'utf8')));
}

export const isChecked = (fence: Fence): boolean => CHECKED_LANGUAGES.has(fence.language);

export function snippetFileName(fence: Fence): string {
  return `${fence.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-line-${fence.line}.ts`;
}

/** Writes every checked snippet (and the context) to .tmp/snippets/, replacing what was there. */
export function writeSnippets(root: string, fences: readonly Fence[]): Map<string, Fence> {
  const dir = join(root, SNIPPET_DIR);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'context.d.ts'), SNIPPET_CONTEXT);
  const byPath = new Map<string, Fence>();
  for (const fence of fences.filter(isChecked)) {
    const path = join(dir, snippetFileName(fence));
    // `export {}` makes every snippet a module (top-level await, its own scope) without moving its lines.
    writeFileSync(path, `${fence.code}\nexport {};\n`);
    byPath.set(path, fence);
  }
  return byPath;
}

export interface SnippetError {
  /** Where the error is, as `file:line` of the markdown file. */
  readonly where: string;
  readonly message: string;
}

/** Extracts and type-checks the snippets; answers every error with its markdown file and line. */
export function checkSnippets(root: string): { checked: number; errors: SnippetError[] } {
  const byPath = writeSnippets(root, allFences(root));
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.snippets.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('tsconfig.snippets.json could not be read');
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const errors: SnippetError[] = [];
  const report = (diagnostic: ts.Diagnostic): void => {
    const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    const fileName = diagnostic.file?.fileName;
    const fence = fileName === undefined ? undefined : byPath.get(join(fileName));
    if (diagnostic.file !== undefined && diagnostic.start !== undefined && fence !== undefined) {
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      errors.push({ where: `${fence.file}:${fence.line + line + 1} (snippet ${snippetFileName(fence)})`, message });
    } else {
      errors.push({ where: fileName === undefined ? 'tsconfig.snippets.json' : relative(root, fileName), message });
    }
  };
  [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getConfigFileParsingDiagnostics()].forEach(report);
  for (const source of program.getSourceFiles()) {
    if (!byPath.has(join(source.fileName)) && !source.fileName.endsWith('context.d.ts')) continue;
    [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].forEach(report);
  }
  return { checked: byPath.size, errors };
}
