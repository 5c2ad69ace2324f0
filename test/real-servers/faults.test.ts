// Origins that break mid-response, or redirect with a forbidding 302: nothing broken or forbidden is ever stored.
import { gzipSync } from 'node:zlib';
import type { Socket } from 'node:net';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import type { CacheHandle } from '../../lib/index.js';
import { ADAPTERS, startNodeHttp, startRawHttp, withoutNock, type RunningHttp } from '../support/real-http.js';

const HEAD_END = '\r\n\r\n';

/** The raw answers, by path. Each writes a response head with `Cache-Control: max-age=60`, then breaks. */
function brokenAnswer(socket: Socket, head: string): void {
  const path = (head.split(' ')[1] ?? '/').split('?')[0];
  if (path === '/short') {
    // Promises 1000 bytes, sends 10, hangs up.
    socket.write(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Cache-Control: max-age=60', 'Content-Length: 1000', 'Connection: close'].join('\r\n') + HEAD_END);
    socket.write('0123456789', () => socket.destroy());
  } else if (path === '/chunked-reset') {
    // A first chunk, then a TCP reset before the last chunk.
    socket.write(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Cache-Control: max-age=60', 'Transfer-Encoding: chunked'].join('\r\n') + HEAD_END);
    socket.write('a\r\n0123456789\r\n', () => setImmediate(() => socket.resetAndDestroy()));
  } else if (path === '/bad-gzip') {
    // Says gzip; the body starts like gzip and then is garbage.
    const body = Buffer.concat([gzipSync('a perfectly good body').subarray(0, 12), Buffer.from('this is not deflate data at all')]);
    socket.write(['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'Cache-Control: max-age=60', 'Content-Encoding: gzip', `Content-Length: ${body.length}`, 'Connection: close'].join('\r\n') + HEAD_END);
    socket.end(body);
  } else {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  }
}

const FAULTS = [
  ['/short', 'a 200 with Content-Length 1000 that sends 10 bytes and hangs up'],
  ['/chunked-reset', 'a chunked 200 reset mid-body'],
  ['/bad-gzip', 'a 200 with Content-Encoding: gzip and a corrupt gzip body'],
] as const;

describe('origins that fail mid-response', function () {
  withoutNock();
  let origin: RunningHttp;

  beforeEach(async function () {
    origin = await startRawHttp(brokenAnswer);
  });

  afterEach(async function () {
    await origin.close();
  });

  for (const adapter of ADAPTERS) {
    describe(`${adapter} adapter`, function () {
      for (const [path, what] of FAULTS) {
        it(`${what}: the request fails, nothing is stored, and the next request reaches the origin again`, async function () {
          const api = axios.create({ adapter, baseURL: origin.url, responseType: 'text' });
          const cache = attachCache(api);
          const outcomes: string[] = [];
          for (let i = 0; i < 2; i += 1) {
            try {
              const res = await api.get<string>(path);
              outcomes.push(`resolved ${res.status} ${JSON.stringify(res.data)} (${res.cacheInfo?.status ?? '?'})`);
            } catch (error) {
              outcomes.push(axios.isAxiosError(error) ? `rejected ${error.code ?? error.message}` : `rejected ${String(error)}`);
            }
          }
          expect(outcomes.every((outcome) => outcome.startsWith('rejected')), `outcomes: ${outcomes.join('; ')}`).to.equal(true);
          expect(origin.log.count(path), 'both requests reach the origin').to.equal(2);
          expect(cache.stats().stores).to.equal(0);
          expect(await cache.count()).to.equal(0);
        });
      }
    });
  }
});

describe('a 302 that forbids storing, to a target that may be stored (shared: true)', function () {
  withoutNock();
  let origin: RunningHttp;

  beforeEach(async function () {
    origin = await startNodeHttp((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: '/target', 'cache-control': 'private, no-store', 'content-length': '0' });
        res.end();
      } else if (req.url === '/target') {
        res.writeHead(200, { 'cache-control': 'public, max-age=60', 'content-type': 'application/json' });
        res.end(JSON.stringify({ target: true }));
      } else {
        res.writeHead(404).end();
      }
    });
  });

  afterEach(async function () {
    await origin.close();
  });

  for (const adapter of ADAPTERS) {
    describe(`${adapter} adapter`, function () {
      let api: AxiosInstance;
      let cache: CacheHandle;

      beforeEach(function () {
        api = axios.create({ adapter, baseURL: origin.url });
        cache = attachCache(api, { shared: true });
      });

      it('follows the redirect to the target', async function () {
        const res = await api.get('/start');
        expect(res.status).to.equal(200);
        expect(res.data).to.deep.equal({ target: true });
      });

      it('a second request for the redirecting URL reaches the origin\'s 302 again', async function () {
        await api.get('/start');
        const second = await api.get('/start');
        expect(second.data).to.deep.equal({ target: true });
        expect(second.fromCache, 'the target must not answer for /start from the cache').to.equal(false);
        expect(origin.log.count('/start')).to.equal(2);
      });

      it('nothing is stored under the redirecting URL', async function () {
        await api.get('/start');
        expect(await cache.has('/start')).to.equal(false);
      });
    });
  }
});
