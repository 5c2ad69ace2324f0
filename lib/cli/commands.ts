/**
 * The CLI's commands, each over the management API of a cache attached to the opened store: list, show, count,
 * delete, export (NDJSON) and import (NDJSON). Commands that only read attach the cache `readOnly`, so they cannot
 * change the store whatever they meet in it.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import axios from 'axios';
import { attachCache } from '../axios/attach.js';
import type { CacheHandle } from '../axios/attach.js';
import type { CacheEntry } from '../axios/manage.js';
import { isEmptyQuery } from '../axios/query.js';
import { commandWrites, type Invocation } from './args.js';
import { ndjsonLines } from './ndjson-lines.js';
import type { OpenedStore } from './open-store.js';
import { Progress } from './progress.js';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { readonly isTTY?: boolean };
}

/**
 * How long one store call of a command (a write, a read, a step of a listing) may take before the command fails: an
 * operator's tool waits far longer than a request would (`storeTimeoutMs` defaults to 500 ms), but not forever.
 */
const CLI_STORE_TIMEOUT_MS = 30_000;

/** Writes a line, waiting when the reader is slower than the store (a pipe to `less`, a slow disk). */
async function writeLine(stream: Writable, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

const iso = (at: number): string => (Number.isFinite(at) ? new Date(at).toISOString() : String(at));

function listLine(entry: CacheEntry): string {
  const state = entry.stale ? `stale since ${iso(entry.freshUntil)}` : `fresh until ${iso(entry.freshUntil)}`;
  const tags = entry.tags.length === 0 ? '' : `  tags: ${entry.tags.join(', ')}`;
  return `${entry.status} ${entry.method} ${entry.url}  ${state}  expires ${iso(entry.expiresAt)}${tags}`;
}

function describeBody(data: unknown, maxBody: number): string {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return `(${data.byteLength} bytes of binary data: export the entry to get them)`;
  const text = typeof data === 'string' ? data : JSON.stringify(data, null, 2);
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBody) return text;
  return `${Buffer.from(text).subarray(0, maxBody).toString()}\n… (${bytes - maxBody} more bytes; --max-body to see more)`;
}

/**
 * Text a terminal shows as it is: C0 and C1 control characters other than line feed and tab (escape sequences a
 * stored body or header could use to rewrite the screen or the terminal's title) are written as `\xNN`.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function showBlock(entry: CacheEntry, maxBody: number): string {
  const lines = [
    `key:         ${entry.key}`,
    `request:     ${entry.method} ${entry.url}`,
    `status:      ${entry.status} ${entry.statusText}`,
    `created:     ${iso(entry.createdAt)}`,
    `fresh until: ${iso(entry.freshUntil)}${entry.stale ? ' (stale)' : ''}`,
    `expires:     ${iso(entry.expiresAt)}`,
    ...(entry.tags.length === 0 ? [] : [`tags:        ${entry.tags.join(', ')}`]),
    'headers:',
    ...Object.entries(entry.headers).map(([name, value]) => `  ${name}: ${value}`),
    'body:',
    describeBody(entry.data, maxBody),
  ];
  return printable(lines.join('\n'));
}

/** Lines of NDJSON from a file or stdin, each at most `maxLineBytes`, counted as they go. */
async function* lines(input: Readable, maxLineBytes: number, progress: Progress): AsyncGenerator<string> {
  for await (const line of ndjsonLines(input as AsyncIterable<Uint8Array | string>, maxLineBytes)) {
    progress.tick();
    yield line;
  }
}

export async function runCommand(invocation: Invocation, opened: OpenedStore, io: CliIo): Promise<void> {
  const cache: CacheHandle = attachCache(axios.create(), { store: opened.store, readOnly: !commandWrites(invocation.command), storeTimeoutMs: CLI_STORE_TIMEOUT_MS });
  const { query } = invocation;
  const progressOn = Progress.enabledFor(invocation.progress, io.stderr);
  const note = (text: string): Promise<void> => writeLine(io.stderr, text);

  switch (invocation.command) {
    case 'list': {
      for await (const entry of cache.entries(query)) {
        if (invocation.json) {
          const { data: _data, headers: _headers, ...summary } = entry;
          await writeLine(io.stdout, JSON.stringify(summary));
        } else await writeLine(io.stdout, listLine(entry));
      }
      return;
    }
    case 'show': {
      const selected = { ...query, ...(invocation.operand === undefined ? {} : { url: invocation.operand }) };
      let found = 0;
      for await (const entry of cache.entries(selected)) {
        await writeLine(io.stdout, `${found === 0 ? '' : '\n'}${showBlock(entry, invocation.maxBody)}`);
        found += 1;
      }
      if (found === 0) await note(`no entry for ${invocation.operand ?? query.key ?? ''} in ${opened.description}`);
      return;
    }
    case 'count': {
      let count = 0;
      if (isEmptyQuery(query)) count = await cache.count();
      else for await (const _ of cache.keys(query)) count += 1;
      await writeLine(io.stdout, String(count));
      return;
    }
    case 'delete': {
      if (invocation.all) {
        const before = await cache.count();
        await cache.clear();
        await note(`deleted every entry (${before} records) from ${opened.description}`);
        return;
      }
      const progress = new Progress('deleting', io.stderr, progressOn);
      cache.on('deleted', () => progress.tick());
      const deleted = await cache.delete(query);
      progress.finish();
      await note(`deleted ${deleted} ${deleted === 1 ? 'entry' : 'entries'} from ${opened.description}`);
      return;
    }
    case 'export': {
      const progress = new Progress('exporting', io.stderr, progressOn, isEmptyQuery(query) && progressOn ? await cache.count() : undefined);
      const partial = invocation.out === undefined ? undefined : `${invocation.out}.partial`;
      const output = partial === undefined ? io.stdout : createWriteStream(partial);
      let exported = 0;
      try {
        for await (const entry of cache.export(query)) {
          await writeLine(output, JSON.stringify(entry));
          exported += 1;
          progress.tick();
        }
        if (partial !== undefined && invocation.out !== undefined) {
          output.end();
          await once(output, 'finish');
          // Only a complete export takes the file's name: a cut-off run leaves no file that looks whole.
          renameSync(partial, invocation.out);
        }
      } catch (error) {
        if (partial !== undefined) {
          output.destroy();
          rmSync(partial, { force: true });
        }
        throw error;
      }
      progress.finish();
      await note(`exported ${exported} ${exported === 1 ? 'entry' : 'entries'} from ${opened.description}${invocation.out === undefined ? '' : ` to ${invocation.out}`}`);
      return;
    }
    case 'import': {
      const file = invocation.operand;
      const input = file === undefined || file === '-' ? io.stdin : createReadStream(file);
      const progress = new Progress('importing', io.stderr, progressOn);
      const result = await cache.import(lines(input, invocation.maxLine, progress));
      progress.finish();
      await note(`imported ${result.imported} ${result.imported === 1 ? 'entry' : 'entries'} into ${opened.description}${result.expired === 0 ? '' : ` (${result.expired} already expired, skipped)`}`);
      return;
    }
  }
}
