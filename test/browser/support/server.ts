/**
 * One Node http server on 127.0.0.1 (ephemeral port) serving the built test page and a small
 * cacheable API, counting origin hits per path and query so the tests can tell hits from misses.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TestServer {
  readonly origin: string;
  hits(pathAndQuery: string): number;
  close(): Promise<void>;
}

const STATIC_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/mocha.js': 'mocha.js',
  '/mocha.css': 'mocha.css',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css' };

/** `chars` letters from a small linear congruential generator: text that does not compress. */
function noise(chars: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let state = seed * 2_654_435_761;
  let text = '';
  for (let index = 0; index < chars; index += 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    text += alphabet[state >>> 26];
  }
  return text;
}

function api(url: URL, hitCount: number, response: ServerResponse): void {
  const cacheable = { 'cache-control': 'max-age=600', etag: `"${url.pathname}-${hitCount}"` };
  if (url.pathname === '/api/items') {
    response.writeHead(200, { ...cacheable, 'cache-control': 'max-age=60', 'content-type': 'application/json' });
    response.end(JSON.stringify({ id: url.searchParams.get('id'), originHit: hitCount }));
  } else if (url.pathname === '/api/persist' || url.pathname === '/api/tab-write') {
    response.writeHead(200, { ...cacheable, 'content-type': 'application/json' });
    response.end(JSON.stringify({ path: url.pathname, query: url.search, originHit: hitCount }));
  } else if (url.pathname === '/api/binary') {
    response.writeHead(200, { ...cacheable, 'content-type': 'application/octet-stream' });
    response.end(Uint8Array.from({ length: 1024 }, (_, index) => index % 256));
  } else if (url.pathname === '/api/blob') {
    response.writeHead(200, { ...cacheable, 'content-type': 'text/plain; charset=utf-8' });
    const chars = Number(url.searchParams.get('chars') ?? '10');
    response.end(url.searchParams.has('random') ? noise(chars, hitCount) : 'b'.repeat(chars));
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  }
}

export async function startTestServer(pageDir: string): Promise<TestServer> {
  const counts = new Map<string, number>();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const file = STATIC_FILES[url.pathname];
    if (file !== undefined) {
      const body = await readFile(join(pageDir, file));
      response.writeHead(200, { 'content-type': CONTENT_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      response.end(body);
      return;
    }
    if (url.pathname === '/__hits') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ hits: counts.get(url.searchParams.get('url') ?? '') ?? 0 }));
      return;
    }
    const key = url.pathname + url.search;
    const hitCount = (counts.get(key) ?? 0) + 1;
    counts.set(key, hitCount);
    api(url, hitCount, response);
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits: (pathAndQuery) => counts.get(pathAndQuery) ?? 0,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
