// A real nginx serving static files with gzip and ETags: hits and single-request revalidations, both adapters.
import axios from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ADAPTERS, MovableClock, requireNginx, startNginx, withoutNock, type RunningNginx } from '../support/real-http.js';

const DOC = { name: 'static document', values: Array.from({ length: 30 }, (_, i) => i * i) };
const TEXT = `${'a line of static text\n'.repeat(40)}the end\n`;

describe('real nginx origin with gzip on', function () {
  withoutNock();
  let nginx: RunningNginx;

  before(function () {
    requireNginx(this);
  });

  beforeEach(async function () {
    nginx = await startNginx({
      files: { 'doc.json': JSON.stringify(DOC), 'notes.txt': TEXT },
      location: 'add_header Cache-Control "public, max-age=1";',
    });
  });

  afterEach(async function () {
    await nginx?.stop();
  });

  it('nginx gzips the file with a weak ETag, and answers a matching If-None-Match with 304 and a strong ETag (harness check)', async function () {
    const first = await fetch(`${nginx.url}/doc.json`, { headers: { 'accept-encoding': 'gzip' } });
    await first.arrayBuffer();
    expect(first.headers.get('content-encoding')).to.equal('gzip');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).to.match(/^W\/"/);
    const second = await fetch(`${nginx.url}/doc.json`, { headers: { 'accept-encoding': 'gzip', 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    expect(second.status).to.equal(304);
    expect(second.headers.get('etag')).to.equal(etag.slice(2));
  });

  for (const adapter of ADAPTERS) {
    describe(`${adapter} adapter`, function () {
      function cached(shared = false) {
        const clock = new MovableClock();
        const api = axios.create({ adapter, baseURL: nginx.url });
        const cache = attachCache(api, { now: clock.now, shared });
        return { api, cache, clock };
      }

      it('serves the second request for a static JSON file from the cache: nginx sees one request', async function () {
        const { api } = cached();
        const first = await api.get('/doc.json');
        const second = await api.get('/doc.json');
        expect(first.data).to.deep.equal(DOC);
        expect(second.fromCache).to.equal(true);
        expect(second.cacheInfo?.status).to.equal('hit');
        expect(second.data).to.deep.equal(DOC);
        expect(await nginx.count('/doc.json')).to.equal(1);
      });

      it('once stale, revalidates with exactly one conditional request that nginx answers 304, and serves the intact body', async function () {
        const { api, clock } = cached();
        await api.get('/doc.json');
        clock.advance(2_000);
        const again = await api.get('/doc.json');
        const lines = await nginx.lines('/doc.json');
        expect(lines, 'one request, then one conditional request answered 304').to.have.length(2);
        expect(lines[1]).to.match(/^GET \/doc\.json 304 "W\/\\x22/);
        expect(again.cacheInfo?.status).to.equal('revalidated');
        expect(again.fromCache).to.equal(true);
        expect(again.status).to.equal(200);
        expect(again.data).to.deep.equal(DOC);
      });

      it('revalidates a text file the same way and returns its exact text (shared: true)', async function () {
        const { api, clock } = cached(true);
        const first = await api.get<string>('/notes.txt', { responseType: 'text' });
        expect(first.data).to.equal(TEXT);
        clock.advance(2_000);
        const again = await api.get<string>('/notes.txt', { responseType: 'text' });
        expect(await nginx.count('/notes.txt')).to.equal(2);
        expect(again.cacheInfo?.status).to.equal('revalidated');
        expect(again.data).to.equal(TEXT);
      });

      it('after revalidating, the next stale request again costs one request, not two', async function () {
        const { api, clock } = cached();
        await api.get('/doc.json');
        clock.advance(2_000);
        await api.get('/doc.json');
        clock.advance(2_000);
        const third = await api.get('/doc.json');
        expect(await nginx.count('/doc.json')).to.equal(3);
        expect(third.cacheInfo?.status).to.equal('revalidated');
        expect(third.data).to.deep.equal(DOC);
      });
    });
  }
});
