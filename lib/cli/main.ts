#!/usr/bin/env node
/**
 * `npx axios-http-cache …`: the command line tool (Node only; never part of the browser bundle). Parses the
 * arguments, opens the store, runs the command, closes the store, and exits 0 (done), 1 (the store or the data
 * failed) or 2 (a usage error).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCommandLine, USAGE, UsageError } from './args.js';
import { runCommand } from './commands.js';
import type { CliIo } from './commands.js';
import { openStore } from './open-store.js';

/** The version in the package.json above this script (in the package, or in a checkout). */
function version(): string {
  let dir = dirname(realpathSync(process.argv[1] ?? '.'));
  for (let depth = 0; depth < 5; depth += 1, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === 'axios-http-cache' && typeof manifest.version === 'string') return manifest.version;
  }
  return 'unknown';
}

/** Runs one command line; resolves the exit code. */
async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    if ('help' in parsed) {
      io.stdout.write(USAGE);
      return 0;
    }
    if ('version' in parsed) {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    const opened = await openStore(parsed.store, parsed.command);
    try {
      await runCommand(parsed, opened, io);
    } catch (error) {
      // Say which store failed: a bare "Connection is closed." names nothing.
      const message = (error instanceof Error ? error.message : String(error)).replace(/^axios-http-cache: /, '');
      throw error instanceof TypeError ? error : new Error(`${parsed.command} failed on ${opened.description}: ${message}`, { cause: error });
    } finally {
      await opened.close().catch(() => undefined);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`axios-http-cache: ${error.message}\nRun axios-http-cache --help for usage.\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${message.startsWith('axios-http-cache: ') ? message : `axios-http-cache: ${message}`}\n`);
    return 1;
  }
}

// A reader that goes away early (`… | head`) is no failure of the tool.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

void main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
