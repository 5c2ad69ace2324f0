/**
 * The command line of `axios-http-cache`: the usage text, and the arguments parsed into a command, a store target
 * and a query. Bad arguments throw a {@link UsageError}, which the CLI answers with exit code 2.
 */
import { parseArgs } from 'node:util';
import type { CacheQuery } from '../axios/options.js';
import { DEFAULT_MAX_LINE_BYTES } from './ndjson-lines.js';

export const USAGE = `Usage: axios-http-cache <command> <store> [options]

Inspect, delete, export and import the entries of an axios-http-cache store.

Commands:
  list <store> [query]            one line per entry: status, method, URL, fresh or stale, expiry, tags
  show <store> <url> | --key K    entries of one URL (every method and variant) in full: headers, times, body
  count <store> [query]           how many entries (without a query: records the store holds)
  delete <store> <query> | --all  delete the entries matching the query (--all: every entry)
  export <store> [query] [--out FILE]
                                  entries as NDJSON (one JSON entry per line) to stdout or FILE
  import <store> [FILE]           entries from NDJSON (FILE, or stdin) into the store, keeping their expiry

Store:
  ./cache.db                      a SQLite file (SqliteStore; import creates it, other commands need it to exist)
  redis://host:6379/0             a Redis server (RedisStore); --prefix P (default axios-http-cache)
  mongodb://host:27017/db         a MongoDB server (MongoStore); --db NAME (default: the URL's database, else
                                  axios-http-cache), --collection NAME (default http_cache)

Query (every criterion given must hold):
  --url URL          exactly this URL          --pattern GLOB   URLs matching a glob (* within a segment, ** across)
  --tag TAG          entries stored with TAG   --method M       entries stored for method M
  --expired          only stale entries        --fresh          only fresh entries
  --older-than AGE   created more than AGE ago (90s, 15m, 2h, 7d, a number of ms) or before a date (2026-01-31)
  --key KEY          exactly this store key

Other options:
  --json             list: one JSON object per entry instead of a line of text
  --max-body BYTES   show: print at most this many bytes of each body (default 4096)
  --max-line BYTES   import: refuse a line longer than this (default 67108864, 64 MiB)
  --progress         show a progress bar on stderr even when it is not a terminal (--no-progress: never)
  -h, --help         this text
  --version          the version

Exit codes: 0 done, 1 the store or the data failed (the message says what), 2 a usage error.
`;

/** A mistake on the command line: the CLI prints it with a pointer to --help and exits with 2. */
export class UsageError extends Error {}

export type CommandName = 'list' | 'show' | 'count' | 'delete' | 'export' | 'import';

const COMMANDS: ReadonlySet<string> = new Set(['list', 'show', 'count', 'delete', 'export', 'import']);

/** Whether `command` changes the store (the others only read it, and open a SQLite file read-only). */
export function commandWrites(command: CommandName): boolean {
  return command === 'delete' || command === 'import';
}

export interface StoreTarget {
  /** The SQLite file, Redis URL or MongoDB URL. */
  readonly location: string;
  readonly prefix: string | undefined;
  readonly db: string | undefined;
  readonly collection: string | undefined;
}

export interface Invocation {
  readonly command: CommandName;
  readonly store: StoreTarget;
  readonly query: CacheQuery;
  /** The argument after the store: show's URL, import's file. */
  readonly operand: string | undefined;
  readonly all: boolean;
  readonly json: boolean;
  readonly out: string | undefined;
  readonly maxBody: number;
  /** import: the longest NDJSON line read. */
  readonly maxLine: number;
  /** true / false when --progress / --no-progress was given; undefined: on a terminal only. */
  readonly progress: boolean | undefined;
}

export type Parsed = { readonly help: true } | { readonly version: true } | Invocation;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--older-than`: an age (90s, 15m, 2h, 7d, or ms) or a date. */
export function olderThan(text: string): Date | number {
  const age = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (age) return Number(age[1]) * (UNITS[age[2] ?? 'ms'] ?? 1);
  const date = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(date.getTime())) return date;
  throw new UsageError(`--older-than takes an age (90s, 15m, 2h, 7d, or a number of ms) or a date (2026-01-31), got ${JSON.stringify(text)}`);
}

export function parseCommandLine(argv: readonly string[]): Parsed {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { help: true };
  if (values.version === true) return { version: true };
  const [command, location, operand, ...extra] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}: use list, show, count, delete, export or import`);
  if (location === undefined || location === '') throw new UsageError(`${command} needs a store: a SQLite file, a redis:// URL or a mongodb:// URL`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const takesOperand = command === 'show' || command === 'import';
  if (operand !== undefined && !takesOperand) throw new UsageError(`unexpected argument ${JSON.stringify(operand)}: ${command} takes its query as options (--url, --pattern, ...)`);
  if (values.expired === true && values.fresh === true) throw new UsageError('--expired and --fresh exclude each other');

  const query: CacheQuery = {
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(values.pattern === undefined ? {} : { pattern: values.pattern }),
    ...(values.tag === undefined ? {} : { tag: values.tag }),
    ...(values.method === undefined ? {} : { method: values.method }),
    ...(values.key === undefined ? {} : { key: values.key }),
    ...(values.expired === true ? { expired: true } : values.fresh === true ? { expired: false } : {}),
    ...(values['older-than'] === undefined ? {} : { olderThan: olderThan(values['older-than']) }),
  };
  if (command === 'show' && operand === undefined && query.key === undefined) throw new UsageError('show needs a URL (or --key KEY)');
  for (const [what, url] of [['show', command === 'show' ? operand : undefined], ['--url', values.url]] as const) {
    if (url !== undefined && !/^https?:\/\//i.test(url)) throw new UsageError(`${what} takes an absolute http(s) URL (the store keeps absolute URLs), got ${JSON.stringify(url)}`);
  }
  if (command === 'delete' && Object.keys(query).length === 0 && values.all !== true) {
    throw new UsageError('delete needs a query (--url, --pattern, --tag, --method, --expired, --older-than, --key), or --all to delete every entry');
  }
  if (command === 'delete' && Object.keys(query).length > 0 && values.all === true) throw new UsageError('delete takes a query or --all, not both');
  const maxBody = values['max-body'] === undefined ? 4096 : Number(values['max-body']);
  if (!Number.isSafeInteger(maxBody) || maxBody < 0) throw new UsageError(`--max-body takes a number of bytes, got ${JSON.stringify(values['max-body'])}`);
  const maxLine = values['max-line'] === undefined ? DEFAULT_MAX_LINE_BYTES : Number(values['max-line']);
  if (!Number.isSafeInteger(maxLine) || maxLine < 1) throw new UsageError(`--max-line takes a positive number of bytes, got ${JSON.stringify(values['max-line'])}`);
  const isRedis = /^rediss?:\/\//i.test(location);
  const isMongo = /^mongodb(?:\+srv)?:\/\//i.test(location);
  if (values.prefix !== undefined && !isRedis) throw new UsageError('--prefix applies to a redis:// store only');
  if ((values.db !== undefined || values.collection !== undefined) && !isMongo) throw new UsageError('--db and --collection apply to a mongodb:// store only');

  return {
    command: command as CommandName,
    store: { location, prefix: values.prefix, db: values.db, collection: values.collection },
    query,
    operand,
    all: values.all === true,
    json: values.json === true,
    out: values.out,
    maxBody,
    maxLine,
    progress: values['no-progress'] === true ? false : values.progress === true ? true : undefined,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      pattern: { type: 'string' },
      tag: { type: 'string' },
      method: { type: 'string' },
      key: { type: 'string' },
      expired: { type: 'boolean' },
      fresh: { type: 'boolean' },
      'older-than': { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      'max-body': { type: 'string' },
      'max-line': { type: 'string' },
      prefix: { type: 'string' },
      db: { type: 'string' },
      collection: { type: 'string' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}
