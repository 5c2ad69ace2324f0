// Regressions from the second review that depend on what the adapter does, against real origins on 127.0.0.1:
// redirects followed inside the adapter, fetch's own redirect mode, and a compressed body cut off by the connection closing.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import axios from 'axios';
import type { AxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ADAPTERS, startNodeHttp, startRawHttp, withoutNock, type RunningHttp } from '../support/real-http.js';

describe('second review fixes against real origins', function () {
  withoutNock();
  let origin: RunningHttp | undefined;

  afterEach(async function () {
    await origin?.close();
    origin = undefined;
  });

  for (const adapter of ADAPTERS) {
    describe(`${adapter} adapter`, function () {
      it('does not store the target of a redirect that differs only by a credential parameter under the URL requested: the next request reaches the 302 again', async function () {
        let redirects = 0;
        origin = await startNodeHttp((req, res) => {
          if (req.url === '/download') {
            redirects += 1;
            res.writeHead(302, { location: `/download?sig=user${redirects}-signed`, 'cache-control': 'no-store' });
            res.end();
            return;
          }
          res.writeHead(200, { 'cache-control': 'max-age=600', 'content-type': 'text/plain' });
          res.end(`content for ${req.url ?? ''}`);
        });
        const api = axios.create({ baseURL: origin.url, adapter });
        const cache = attachCache(api, { shared: true });
        const first = await api.get<string>('/download');
        const second = await api.get<string>('/download');
        expect(first.data).to.equal('content for /download?sig=user1-signed');
        expect(second.fromCache).to.equal(false);
        expect(second.data).to.equal('content for /download?sig=user2-signed');
        expect(redirects).to.equal(2);
        expect(await cache.has('/download')).to.equal(false);
      });
    });
  }

  describe('http adapter: socketPath', function () {
    it('keys and de-duplicates requests to two Unix sockets apart, though their URLs are the same: two sockets are two servers', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'ahc-sockets-'));
      const servers: Server[] = [];
      try {
        const paths = await Promise.all(['a', 'b'].map((name) => new Promise<string>((resolve) => {
          const server = createServer((_req, res) => {
            res.writeHead(200, { 'cache-control': 'max-age=600', 'content-type': 'text/plain' });
            res.end(`server ${name}`);
          });
          servers.push(server);
          const path = join(dir, `${name}.sock`);
          server.listen(path, () => resolve(path));
        })));
        const api = axios.create({ adapter: 'http' });
        attachCache(api);
        const [a, b] = paths as [string, string];
        // Concurrent identical requests to two sockets: no shared origin call.
        const [fromA, fromB] = await Promise.all([a, b].map((socketPath) => api.get<string>('http://localhost/same', { socketPath })));
        expect([fromA?.data, fromB?.data]).to.deep.equal(['server a', 'server b']);
        const first = await api.get<string>('http://localhost/same', { socketPath: a });
        const second = await api.get<string>('http://localhost/same', { socketPath: b });
        expect([first.data, second.data, second.fromCache]).to.deep.equal(['server a', 'server b', false]);
        expect(first.cacheInfo?.key).to.not.equal(second.cacheInfo?.key);
      } finally {
        await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('fetch adapter: its own redirect mode and body framing', function () {
    async function redirectingOrigin(): Promise<RunningHttp> {
      return startNodeHttp((req, res) => {
        if (req.url === '/r') {
          res.writeHead(302, { location: '/target', 'cache-control': 'max-age=600' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('target');
      });
    }
    const manual = { fetchOptions: { redirect: 'manual' }, validateStatus: () => true } as AxiosRequestConfig;

    it("does not answer a later default caller with the 3xx a fetchOptions.redirect 'manual' caller got: the default caller gets the 200", async function () {
      origin = await redirectingOrigin();
      const api = axios.create({ baseURL: origin.url, adapter: 'fetch' });
      attachCache(api);
      const first = await api.get('/r', manual);
      expect(first.status).to.equal(302);
      const again = await api.get('/r', manual);
      expect(again.status).to.equal(302);
      expect(again.fromCache).to.equal(true);
      const followed = await api.get<string>('/r');
      expect(followed.status).to.equal(200);
      expect(followed.data).to.equal('target');
      expect(origin.log.count('/r')).to.equal(2);
    });

    it("does not merge a concurrent fetchOptions.redirect 'manual' caller with a default caller: each gets its own answer", async function () {
      origin = await redirectingOrigin();
      const api = axios.create({ baseURL: origin.url, adapter: 'fetch' });
      attachCache(api);
      const [manualAnswer, followed] = await Promise.all([api.get('/r', manual), api.get<string>('/r')]);
      expect(manualAnswer.status).to.equal(302);
      expect(followed.status).to.equal(200);
      expect(followed.data).to.equal('target');
      expect(origin.log.count('/r')).to.equal(2);
    });

    it('does not store a gzip body without Content-Length cut off by the connection closing: the next request reaches the origin again', async function () {
      const whole = gzipSync(Buffer.from('0123456789abcdef'.repeat(4000)));
      origin = await startRawHttp((socket) => {
        socket.write('HTTP/1.1 200 OK\r\ncache-control: max-age=600\r\ncontent-type: text/plain\r\ncontent-encoding: gzip\r\nconnection: close\r\n\r\n');
        socket.write(whole.subarray(0, Math.floor(whole.length / 2)));
        socket.end();
      });
      const api = axios.create({ baseURL: origin.url, adapter: 'fetch' });
      const cache = attachCache(api);
      // Whether fetch resolves the cut body or rejects it, nothing may be stored.
      await api.get('/gz').catch(() => undefined);
      await api.get('/gz').catch(() => undefined);
      expect(origin.log.count('/gz')).to.equal(2);
      expect(cache.stats().stores).to.equal(0);
      expect(await cache.has('/gz')).to.equal(false);
    });
  });
});
