// axios-retry on a cached instance, against a real Express origin that fails once with a cacheable 503.
import axios, { AxiosError } from 'axios';
import axiosRetry from 'axios-retry';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ADAPTERS, startExpress, withoutNock, type RunningExpress } from '../support/real-http.js';

describe('axios-retry on a cached instance, real Express origin', function () {
  withoutNock();
  let origin: RunningExpress;

  beforeEach(async function () {
    origin = await startExpress();
    let calls = 0;
    origin.app.get('/flaky', (_req, res) => {
      calls += 1;
      res.set('Cache-Control', 'max-age=60');
      if (calls === 1) res.status(503).json({ error: 'try again' });
      else res.status(200).json({ ok: true, call: calls });
    });
  });

  afterEach(async function () {
    await origin.close();
  });

  for (const adapter of ADAPTERS) {
    describe(`${adapter} adapter`, function () {
      function retrying() {
        const api = axios.create({ adapter, baseURL: origin.url });
        const cache = attachCache(api);
        const retried: number[] = [];
        axiosRetry(api, {
          retries: 2,
          retryDelay: () => 0,
          retryCondition: (error) => (error.response?.status ?? 0) >= 500,
          onRetry: (count) => { retried.push(count); },
        });
        return { api, cache, retried };
      }

      it('a retry after a 503 with max-age=60 reaches the origin and resolves with its 200', async function () {
        const { api, retried } = retrying();
        let response;
        try {
          response = await api.get('/flaky');
        } catch (error) {
          const status = error instanceof AxiosError ? error.response?.status : undefined;
          expect.fail(`the request rejected (status ${String(status)}) after ${retried.length} retries; Express saw ${origin.log.count('/flaky')} requests`);
        }
        expect(response.status).to.equal(200);
        expect(response.data).to.deep.equal({ ok: true, call: 2 });
        expect(retried).to.deep.equal([1]);
        expect(origin.log.count('/flaky')).to.equal(2);
      });

      it('after the retried 200, the next request gets the 200 too, never the cached 503', async function () {
        const { api } = retrying();
        await api.get('/flaky').catch(() => undefined);
        const next = await api.get('/flaky').catch((error: unknown) => (error instanceof AxiosError ? error.response : undefined));
        expect(next?.status).to.equal(200);
        expect(next?.data).to.deep.include({ ok: true });
      });
    });
  }
});
