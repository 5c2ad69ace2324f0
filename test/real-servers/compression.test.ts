// A real Express 5 app behind compression(): hits and 304 revalidations through both axios adapters.
import axios from 'axios';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ADAPTERS, MovableClock, startExpress, withoutNock, type RunningExpress } from '../support/real-http.js';

const BODY = { message: 'hello from express', items: Array.from({ length: 20 }, (_, i) => `item ${i}`) };

describe('real Express origin with compression()', function () {
  withoutNock();
  let origin: RunningExpress;

  let clock: MovableClock;

  beforeEach(async function () {
    clock = new MovableClock();
    origin = await startExpress();
    origin.app.get('/data', (_req, res) => {
      // The origin's Date follows the test's clock, as a real origin's clock follows real time.
      res.set('Date', new Date(clock.now()).toUTCString());
      res.set('Cache-Control', 'public, max-age=1');
      res.json(BODY);
    });
  });

  afterEach(async function () {
    await origin.close();
  });

  it('the origin really gzips small bodies and tags them with a weak ETag (harness check)', async function () {
    const res = await fetch(`${origin.url}/data`, { headers: { 'accept-encoding': 'gzip' } });
    await res.arrayBuffer();
    expect(res.headers.get('content-encoding')).to.equal('gzip');
    expect(res.headers.get('etag')).to.match(/^W\//);
  });

  for (const adapter of ADAPTERS) {
    for (const shared of [false, true]) {
      describe(`${adapter} adapter, shared: ${shared}`, function () {
        function cached() {
          const api = axios.create({ adapter, baseURL: origin.url });
          const cache = attachCache(api, { now: clock.now, shared });
          return { api, cache };
        }

        it('serves the second identical request from the cache without reaching Express', async function () {
          const { api } = cached();
          const first = await api.get('/data');
          const second = await api.get('/data');
          expect(first.fromCache).to.equal(false);
          expect(first.data).to.deep.equal(BODY);
          expect(second.fromCache).to.equal(true);
          expect(second.cacheInfo?.status).to.equal('hit');
          expect(second.data).to.deep.equal(BODY);
          expect(origin.log.count('/data')).to.equal(1);
        });

        it('once max-age has passed, revalidates with If-None-Match, gets a 304 from Express and serves the stored body', async function () {
          const { api } = cached();
          const first = await api.get('/data');
          const etag = first.headers['etag'] as string;
          expect(etag).to.match(/^W\//);
          clock.advance(2_000);
          const third = await api.get('/data');
          const seen = origin.log.for('/data');
          expect(seen).to.have.length(2);
          expect(seen[1]?.headers['if-none-match']).to.equal(etag);
          expect(seen[1]?.status, 'Express answers the revalidation with 304, not a full 200').to.equal(304);
          expect(third.cacheInfo?.status).to.equal('revalidated');
          expect(third.fromCache).to.equal(true);
          expect(third.status).to.equal(200);
          expect(third.data).to.deep.equal(BODY);
        });

        it('after a 304 the refreshed entry is fresh again: the next request is a hit', async function () {
          const { api } = cached();
          await api.get('/data');
          clock.advance(2_000);
          await api.get('/data');
          const after = await api.get('/data');
          expect(after.cacheInfo?.status).to.equal('hit');
          expect(after.data).to.deep.equal(BODY);
          expect(origin.log.count('/data')).to.equal(2);
        });
      });
    }
  }
});
