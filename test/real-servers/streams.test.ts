// responseType 'stream' against real origins on 127.0.0.1, with the http adapter (Node Readables) and the fetch
// adapter (web ReadableStreams): a body read whole is stored and served again as a stream of the same kind; a body
// not read whole, cut, or too large is never stored.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import type { CacheHandle, CacheOptions } from '../../lib/index.js';
import { forEachStore } from '../manage/stores.js';
import { ADAPTERS, MovableClock, startNodeHttp, startRawHttp, withoutNock, type AdapterName, type RunningHttp } from '../support/real-http.js';

/** The bytes of a response body of either stream kind, read to the end; `afterFirst` runs once the first chunk is in. */
async function readAll(data: unknown, afterFirst: () => void = () => undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const add = (chunk: Uint8Array): void => {
    chunks.push(Buffer.from(chunk));
    if (chunks.length === 1) afterFirst();
  };
  if (data instanceof Readable) {
    for await (const chunk of data) add(chunk as Uint8Array);
    return Buffer.concat(chunks);
  }
  if (data instanceof ReadableStream) {
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const step = await reader.read();
      if (step.done) return Buffer.concat(chunks);
      add(step.value);
    }
  }
  throw new Error(`not a stream: ${Object.prototype.toString.call(data)}`);
}

/** The first chunk of a stream body, leaving the rest unread. */
async function firstChunk(data: unknown): Promise<{ chunk: Buffer; stop: () => void }> {
  if (data instanceof Readable) {
    const chunk = await new Promise<Buffer>((resolve, reject) => {
      data.once('data', (value: Buffer) => {
        data.pause();
        resolve(value);
      });
      data.once('error', reject);
    });
    data.on('error', () => undefined);
    return { chunk, stop: () => data.destroy() };
  }
  const reader = (data as ReadableStream<Uint8Array>).getReader();
  const step = await reader.read();
  if (step.done) throw new Error('the stream ended before its first chunk');
  return { chunk: Buffer.from(step.value), stop: () => void reader.cancel().catch(() => undefined) };
}

/** The error reading a stream to its end ends with, or undefined when it ends cleanly. */
async function readError(data: unknown): Promise<unknown> {
  try {
    await readAll(data);
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected with nothing');
  }
}

/** The stream kind each adapter gives for responseType 'stream' in Node (what axios gives uncached). */
function expectKind(adapter: AdapterName, data: unknown): void {
  if (adapter === 'http') expect(data, 'a Node Readable').to.be.instanceOf(Readable);
  else expect(data, 'a web ReadableStream').to.be.instanceOf(ReadableStream);
}

/** Resolves at the next `stored` event, or rejects after `ms`. */
function nextStored(cache: CacheHandle, ms = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no stored event within ${ms} ms`)), ms);
    const listener = (): void => {
      clearTimeout(timer);
      cache.off('stored', listener);
      resolve();
    };
    cache.on('stored', listener);
  });
}

/** Gives a store write that would follow a finished (or abandoned) stream the time to happen. */
const settleDown = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));

const BODY = randomBytes(200_000);
/** A compressible body, and its gzip. */
const TEXT = Buffer.from('stream me '.repeat(50_000));
const GZIPPED = gzipSync(TEXT);

function cachedApi(adapter: AdapterName, origin: RunningHttp, options: CacheOptions = {}): { api: AxiosInstance; cache: CacheHandle } {
  const api = axios.create({ adapter, baseURL: origin.url });
  return { api, cache: attachCache(api, options) };
}

describe('responseType stream, cached (real origins)', function () {
  withoutNock();

  describe('a well-behaved origin', function () {
    let origin: RunningHttp;
    /** Resolved by a test to let `/held` send the rest of its body. */
    let releaseHeld: () => void = () => undefined;
    let fail = false;
    /** The cache's clock; the origin's `Date` header follows it, so that moving it ages entries and nothing else. */
    let clock: MovableClock;

    beforeEach(async function () {
      fail = false;
      clock = new MovableClock();
      origin = await startNodeHttp((req: IncomingMessage, res: ServerResponse) => {
        const path = (req.url ?? '/').split('?')[0];
        res.setHeader('date', new Date(clock.at).toUTCString());
        if (req.method === 'POST') {
          res.writeHead(204);
          res.end();
        } else if (path === '/body' || path === '/both') {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=60', 'content-length': BODY.length });
          res.end(BODY);
        } else if (path === '/small') {
          res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': 100 });
          res.end(BODY.subarray(0, 100));
        } else if (path === '/gzip') {
          // Compressed, with the compressed length announced: the decoded body the caller reads is longer.
          res.writeHead(200, { 'cache-control': 'max-age=60', 'content-encoding': 'gzip', 'content-length': GZIPPED.length });
          res.end(GZIPPED);
        } else if (path === '/json') {
          const body = JSON.stringify({ hello: 'world' });
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        } else if (path === '/etag') {
          if (req.headers['if-none-match'] === '"v1"') {
            res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=1' });
            res.end();
          } else {
            res.writeHead(200, { etag: '"v1"', 'cache-control': 'max-age=1', 'content-length': BODY.length });
            res.end(BODY);
          }
        } else if (path === '/flaky') {
          if (fail) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end('down');
          } else {
            res.writeHead(200, { 'cache-control': 'max-age=1', 'content-length': BODY.length });
            res.end(BODY);
          }
        } else if (path === '/held') {
          // The first part at once; the rest only when the test says so.
          res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': BODY.length });
          res.write(BODY.subarray(0, 1000));
          releaseHeld = () => res.end(BODY.subarray(1000));
        } else if (path === '/stall') {
          // The first part, then nothing: the client must give up (abort, timeout, destroy).
          res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': BODY.length });
          res.write(BODY.subarray(0, 1000));
        } else {
          res.writeHead(404);
          res.end();
        }
      });
    });

    afterEach(async function () {
      releaseHeld();
      await origin.close();
    });

    for (const adapter of ADAPTERS) {
      describe(`${adapter} adapter`, function () {
        it('a body read whole is stored, and the next stream request is a hit served as the same kind of stream with identical bytes', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const stored = nextStored(cache);
          const first = await api.get('/body', { responseType: 'stream' });
          expect(first.cacheInfo?.status).to.equal('miss');
          expectKind(adapter, first.data);
          expect((await readAll(first.data)).equals(BODY), 'the miss gets the origin bytes').to.equal(true);
          await stored;

          const second = await api.get('/body', { responseType: 'stream' });
          expect(second.cacheInfo?.status).to.equal('hit');
          expect(second.fromCache).to.equal(true);
          expectKind(adapter, second.data);
          expect((await readAll(second.data)).equals(BODY), 'the hit gets the same bytes').to.equal(true);
          // Each hit is a stream of its own.
          const third = await api.get('/body', { responseType: 'stream' });
          expect((await readAll(third.data)).equals(BODY)).to.equal(true);
          expect(origin.log.count('/body')).to.equal(1);
        });

        it('the first chunk reaches the caller before the origin has sent the rest (no buffering of the whole body)', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const stored = nextStored(cache);
          this.timeout(5000);
          const response = await api.get('/held', { responseType: 'stream' });
          // The origin sends the rest only once the caller has its first chunk: a cache that read the whole body
          // before handing it on would wait forever.
          const body = await readAll(response.data, () => releaseHeld());
          expect(body.equals(BODY)).to.equal(true);
          await stored;
          expect((await api.get('/held', { responseType: 'stream' })).cacheInfo?.status).to.equal('hit');
        });

        it('an unsafe request to the URL while its body is being read: the caller still gets every byte, and the body is not stored', async function () {
          this.timeout(5000);
          const { api, cache } = cachedApi(adapter, origin);
          const response = await api.get('/held', { responseType: 'stream' });
          let posted: Promise<unknown> = Promise.resolve();
          const body = await readAll(response.data, () => {
            // Sent before the rest of the body: it changes the resource this body describes.
            posted = api.post('/held', 'change').then(() => releaseHeld());
          });
          await posted;
          expect(body.equals(BODY)).to.equal(true);
          await settleDown();
          expect(await cache.count()).to.equal(0);
          expect(cache.stats().stores).to.equal(0);
        });

        for (const [how, purge] of [
          ['cache.clear()', (cache: ReturnType<typeof cachedApi>['cache']) => cache.clear()],
          ['cache.delete({ pattern })', (cache: ReturnType<typeof cachedApi>['cache']) => cache.delete({ pattern: '/held' })],
          ["a POST's cache.invalidate", (_cache: ReturnType<typeof cachedApi>['cache'], api: ReturnType<typeof cachedApi>['api']) => api.post('/elsewhere', 'x', { cache: { invalidate: ['/held'] } })],
        ] as const) {
          it(`${how} while a body is being read: the caller still gets every byte, and the body read before the purge is not stored`, async function () {
            this.timeout(5000);
            const { api, cache } = cachedApi(adapter, origin);
            const response = await api.get('/held', { responseType: 'stream' });
            let purged: Promise<unknown> = Promise.resolve();
            const body = await readAll(response.data, () => {
              purged = purge(cache, api).then(() => releaseHeld());
            });
            await purged;
            expect(body.equals(BODY)).to.equal(true);
            await settleDown();
            expect(await cache.count()).to.equal(0);
            expect(cache.stats().stores).to.equal(0);
          });
        }

        it('a caller that reads one chunk and then destroys or cancels the stream leaves no entry', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const response = await api.get('/held', { responseType: 'stream' });
          const { chunk, stop } = await firstChunk(response.data);
          expect(chunk.length).to.be.greaterThan(0);
          stop();
          releaseHeld();
          await settleDown();
          expect(await cache.count()).to.equal(0);
          expect(cache.stats().stores).to.equal(0);
          const again = await api.get('/held', { responseType: 'stream' });
          expect(again.cacheInfo?.status, 'the next request reaches the origin').to.equal('miss');
          releaseHeld();
          await readAll(again.data);
        });

        for (const [path, size] of [['/small', 'a body that fits in the stream buffers'], ['/body', 'a large body']] as const) {
          it(`a caller that has not read to the end leaves no entry, however long it waits (${size})`, async function () {
            const { api, cache } = cachedApi(adapter, origin);
            const response = await api.get(path, { responseType: 'stream' });
            expectKind(adapter, response.data);
            await settleDown();
            expect(await cache.count(), 'nothing stored before the caller has read the body').to.equal(0);
            await readAll(response.data);
            await settleDown();
            expect(await cache.count(), 'stored once read').to.equal(1);
          });
        }

        it('an AbortSignal aborted mid-body fails the stream and leaves no entry', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const controller = new AbortController();
          const response = await api.get('/stall', { responseType: 'stream', signal: controller.signal });
          const reading = readError(response.data);
          setTimeout(() => controller.abort(), 50);
          expect(await reading, 'the read fails').to.not.equal(undefined);
          await settleDown();
          expect(await cache.count()).to.equal(0);
          expect(cache.stats().stores).to.equal(0);
        });

        it('a timeout mid-body fails the stream and leaves no entry', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const response = await api.get('/stall', { responseType: 'stream', timeout: 300 });
          expect(await readError(response.data), 'the read fails').to.not.equal(undefined);
          await settleDown();
          expect(await cache.count()).to.equal(0);
        });

        it('a body larger than maxStreamBytes reaches the caller whole and is not stored', async function () {
          const { api, cache } = cachedApi(adapter, origin, { maxStreamBytes: 10_000 });
          const first = await api.get('/body', { responseType: 'stream' });
          expect((await readAll(first.data)).equals(BODY)).to.equal(true);
          await settleDown();
          expect(await cache.count()).to.equal(0);
          const second = await api.get('/body', { responseType: 'stream' });
          expect(second.cacheInfo?.status).to.equal('miss');
          expect((await readAll(second.data)).equals(BODY)).to.equal(true);
          expect(origin.log.count('/body')).to.equal(2);
        });

        it('a stored stream body never answers a json, text or arraybuffer request, and a stored json body never a stream request', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const stored = nextStored(cache);
          await readAll((await api.get('/both', { responseType: 'stream' })).data);
          await stored;
          for (const responseType of ['json', 'text', 'arraybuffer'] as const) {
            const other = await api.get('/both', { responseType });
            expect(other.cacheInfo?.status, responseType).to.equal('miss');
            expect(other.data, responseType).to.not.be.instanceOf(Readable);
            expect(other.data, responseType).to.not.be.instanceOf(ReadableStream);
            // That answer replaced the stream entry: a stream request misses, and stores a stream entry again.
            const storedAgain = nextStored(cache);
            const stream = await api.get('/both', { responseType: 'stream' });
            expect(stream.cacheInfo?.status, `a stream request after ${responseType}`).to.equal('miss');
            await readAll(stream.data);
            await storedAgain;
          }
          expect(origin.log.count('/both')).to.equal(7);

          const json = await api.get('/json');
          expect(json.data).to.deep.equal({ hello: 'world' });
          const jsonAsStream = await api.get('/json', { responseType: 'stream' });
          expect(jsonAsStream.cacheInfo?.status, 'a json entry does not answer a stream request').to.equal('miss');
          expect((await readAll(jsonAsStream.data)).toString()).to.equal('{"hello":"world"}');
        });

        it('a stale stream entry revalidated with a 304 is served as a stream of the stored bytes', async function () {
          const { api, cache } = cachedApi(adapter, origin, { now: clock.now });
          const stored = nextStored(cache);
          await readAll((await api.get('/etag', { responseType: 'stream' })).data);
          await stored;
          clock.advance(5_000);
          const revalidated = await api.get('/etag', { responseType: 'stream' });
          expect(revalidated.cacheInfo?.status).to.equal('revalidated');
          expectKind(adapter, revalidated.data);
          expect((await readAll(revalidated.data)).equals(BODY)).to.equal(true);
          const seen = origin.log.for('/etag');
          expect(seen.map((request) => request.headers['if-none-match'] ?? null)).to.deep.equal([null, '"v1"']);
          expect(seen[1]?.status).to.equal(304);
        });

        it('a stale stream entry answers as a stream when the origin fails with a 500 (staleIfError)', async function () {
          const { api, cache } = cachedApi(adapter, origin, { now: clock.now, staleIfError: true });
          const stored = nextStored(cache);
          await readAll((await api.get('/flaky', { responseType: 'stream' })).data);
          await stored;
          clock.advance(5_000);
          fail = true;
          const stale = await api.get('/flaky', { responseType: 'stream' });
          expect(stale.cacheInfo?.status).to.equal('stale');
          expect((await readAll(stale.data)).equals(BODY)).to.equal(true);
          expect(origin.log.count('/flaky')).to.equal(2);
        });

        it('a stale stream entry served under staleWhileRevalidate is refreshed in the background, the refreshed body stored', async function () {
          const { api, cache } = cachedApi(adapter, origin, { now: clock.now, staleWhileRevalidate: true });
          const stored = nextStored(cache);
          await readAll((await api.get('/flaky', { responseType: 'stream' })).data);
          await stored;
          clock.advance(5_000);
          const refreshed = nextStored(cache);
          const stale = await api.get('/flaky', { responseType: 'stream' });
          expect(stale.cacheInfo?.status).to.equal('stale');
          expect((await readAll(stale.data)).equals(BODY)).to.equal(true);
          await refreshed;
          expect(origin.log.count('/flaky')).to.equal(2);
          expect((await api.get('/flaky', { responseType: 'stream' })).cacheInfo?.status).to.equal('hit');
        });

        it('a gzip body with its compressed length announced is stored decoded, and the hit has the decoded bytes', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const stored = nextStored(cache);
          expect((await readAll((await api.get('/gzip', { responseType: 'stream' })).data)).equals(TEXT)).to.equal(true);
          await stored;
          const hit = await api.get('/gzip', { responseType: 'stream' });
          expect(hit.cacheInfo?.status).to.equal('hit');
          expect((await readAll(hit.data)).equals(TEXT)).to.equal(true);
        });

        it('concurrent identical stream misses each get their own origin call and the whole body', async function () {
          const { api } = cachedApi(adapter, origin);
          const responses = await Promise.all([api.get('/body', { responseType: 'stream' }), api.get('/body', { responseType: 'stream' })]);
          const bodies = await Promise.all(responses.map((response) => readAll(response.data)));
          expect(bodies.every((body) => body.equals(BODY))).to.equal(true);
          expect(origin.log.count('/body')).to.equal(2);
        });
      });
    }
  });

  describe('an origin that breaks mid-body', function () {
    let origin: RunningHttp;
    const HEAD_END = '\r\n\r\n';
    /** Connections of `/lying`: it announces maxStreamBytes, sends a few bytes, and waits until the test hangs up. */
    const lying: Socket[] = [];

    beforeEach(async function () {
      origin = await startRawHttp((socket: Socket, head: string) => {
        const path = (head.split(' ')[1] ?? '/').split('?')[0];
        if (path === '/lying') {
          socket.write(['HTTP/1.1 200 OK', 'Cache-Control: max-age=60', `Content-Length: ${5 * 1024 * 1024}`].join('\r\n') + HEAD_END);
          socket.write(BODY.subarray(0, 10));
          lying.push(socket);
        } else if (path === '/short') {
          socket.write(['HTTP/1.1 200 OK', 'Cache-Control: max-age=60', 'Content-Length: 100000', 'Connection: close'].join('\r\n') + HEAD_END);
          socket.write(BODY.subarray(0, 5000), () => setTimeout(() => socket.destroy(), 20));
        } else if (path === '/chunked-reset') {
          socket.write(['HTTP/1.1 200 OK', 'Cache-Control: max-age=60', 'Transfer-Encoding: chunked'].join('\r\n') + HEAD_END);
          socket.write('a\r\n0123456789\r\n', () => setTimeout(() => socket.resetAndDestroy(), 20));
        } else if (path === '/gzip-cut') {
          // A gzip body delimited only by the connection closing, cut short: it decodes without an error.
          const gzipped = gzipSync(BODY);
          socket.write(['HTTP/1.1 200 OK', 'Cache-Control: max-age=60', 'Content-Encoding: gzip', 'Connection: close'].join('\r\n') + HEAD_END);
          socket.end(gzipped.subarray(0, Math.floor(gzipped.length / 2)));
        } else {
          socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        }
      });
    });

    afterEach(async function () {
      await origin.close();
    });

    for (const adapter of ADAPTERS) {
      describe(`${adapter} adapter`, function () {
        for (const [path, what] of [
          ['/short', 'a Content-Length body the server hangs up on'],
          ['/chunked-reset', 'a chunked body reset mid-way'],
        ] as const) {
          it(`${what}: the caller's stream fails, and nothing is stored`, async function () {
            const { api, cache } = cachedApi(adapter, origin);
            let failure: unknown;
            try {
              failure = await readError((await api.get(path, { responseType: 'stream' })).data);
            } catch (error) {
              failure = error;
            }
            expect(failure, 'the request or its stream fails').to.not.equal(undefined);
            await settleDown();
            expect(await cache.count()).to.equal(0);
            expect(cache.stats().stores).to.equal(0);
          });
        }

        it('a Content-Length of maxStreamBytes with a body that never comes allocates no buffer of that size, and stores nothing', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const requests = 16;
          const before = process.memoryUsage().arrayBuffers;
          const responses = await Promise.all(Array.from({ length: requests }, () => api.get('/lying', { responseType: 'stream' })));
          const held = process.memoryUsage().arrayBuffers - before;
          // Sized by the announced length, the copies alone would hold 16 x 5 MiB = 80 MiB.
          expect(held, `bytes held by ${requests} responses announcing 5 MiB`).to.be.lessThan(16 * 1024 * 1024);
          const failures = responses.map((response) => readError(response.data));
          for (const socket of lying.splice(0)) socket.destroy();
          for (const failure of await Promise.all(failures)) expect(failure, 'the cut body fails the stream').to.not.equal(undefined);
          await settleDown();
          expect(await cache.count()).to.equal(0);
          expect(cache.stats().stores).to.equal(0);
        });

        it('a stream nobody reads or listens to for errors, cut by the origin: no crash, no entry', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          const response = await api.get('/short', { responseType: 'stream' });
          expectKind(adapter, response.data);
          await settleDown();
          await settleDown();
          expect(await cache.count()).to.equal(0);
        });

        it('a compressed body delimited by the connection closing, cut short: whatever the caller reads, nothing is stored', async function () {
          const { api, cache } = cachedApi(adapter, origin);
          try {
            await readAll((await api.get('/gzip-cut', { responseType: 'stream' })).data);
          } catch {
            // Some decoders report the cut; either way nothing may be stored.
          }
          await settleDown();
          expect(await cache.count()).to.equal(0);
          expect(origin.log.count('/gzip-cut')).to.equal(1);
          try {
            await readAll((await api.get('/gzip-cut', { responseType: 'stream' })).data);
          } catch {
            // As above.
          }
          expect(origin.log.count('/gzip-cut'), 'the next request reaches the origin again').to.equal(2);
        });
      });
    }
  });

  describe('through every store', function () {
    let origin: RunningHttp;

    before(async function () {
      origin = await startNodeHttp((_req, res) => {
        res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': BODY.length });
        res.end(BODY);
      });
    });

    after(async function () {
      await origin.close();
    });

    forEachStore((setup) => {
      for (const adapter of ADAPTERS) {
        it(`${adapter} adapter: a stream entry read back from the store is served as the same kind of stream with identical bytes, and never to an arraybuffer request`, async function () {
          const clock = new MovableClock();
          const path = `/${setup.kind.replace(/\W+/g, '-')}/${adapter}`;
          const { api, cache } = cachedApi(adapter, origin, { store: await setup.newStore(clock.now), now: clock.now });
          const stored = nextStored(cache);
          await readAll((await api.get(path, { responseType: 'stream' })).data);
          await stored;
          const hit = await api.get(path, { responseType: 'stream' });
          expect(hit.cacheInfo?.status).to.equal('hit');
          expectKind(adapter, hit.data);
          expect((await readAll(hit.data)).equals(BODY)).to.equal(true);
          expect((await api.get(path, { responseType: 'arraybuffer' })).cacheInfo?.status).to.equal('miss');
          expect(origin.log.count(path)).to.equal(2);
        });
      }
    });
  });

  describe('option maxStreamBytes', function () {
    for (const bad of [-1, 1.5, Number.NaN, '1000', Infinity]) {
      it(`rejects ${String(bad)} at attachCache with a TypeError naming the option`, function () {
        expect(() => attachCache(axios.create(), { maxStreamBytes: bad as number })).to.throw(TypeError, /maxStreamBytes/);
      });
    }

    it('0 passes stream requests by the cache (a bypass), as before streams were cached', async function () {
      const origin = await startNodeHttp((_req, res) => {
        res.writeHead(200, { 'cache-control': 'max-age=60' });
        res.end('x');
      });
      try {
        const api = axios.create({ adapter: 'http', baseURL: origin.url });
        const cache = attachCache(api, { maxStreamBytes: 0 });
        for (let i = 0; i < 2; i += 1) {
          const response = await api.get('/', { responseType: 'stream' });
          expect(response.cacheInfo?.status).to.equal('bypass');
          await readAll(response.data);
        }
        expect(cache.stats().bypasses).to.equal(2);
        expect(origin.log.count('/')).to.equal(2);
      } finally {
        await origin.close();
      }
    });
  });
});
