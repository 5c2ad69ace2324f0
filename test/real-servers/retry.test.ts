// axios-retry on a cached instance, against a real Express origin that fails once with a cacheable 503.
import axios, { AxiosError } from 'axios';
import type { AxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ADAPTERS, startExpress, withoutNock, type RunningExpress } from '../support/real-http.js';

/** How a request ended, as a sentence: its status either way. */
function outcomeOf(request: Promise<{ readonly status: number }>): Promise<string> {
  return request.then(
    (response) => `resolved with ${response.status}`,
    (error: unknown) => (error instanceof AxiosError ? `rejected with ${String(error.response?.status)}` : 'rejected'),
  );
}

describe('axios-retry on a cached instance, real Express origin', function () {
  withoutNock();
  let origin: RunningExpress;

  beforeEach(async function () {
    origin = await startExpress();
    let flakyCalls = 0;
    origin.app.get('/flaky', (_req, res) => {
      flakyCalls += 1;
      res.set('Cache-Control', 'max-age=60');
      if (flakyCalls === 1) res.status(503).json({ error: 'try again' });
      else res.status(200).json({ ok: true, call: flakyCalls });
    });
    let resetCalls = 0;
    origin.app.get('/reset-then-500', (req, res) => {
      resetCalls += 1;
      // First a connection cut before any answer, then a server error.
      if (resetCalls === 1) req.socket.destroy();
      else res.status(500).json({ error: 'broken' });
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

  describe('after a network error', function () {
    for (const adapter of ADAPTERS) {
      for (const timeout of [0, 5000]) {
        it(`${adapter} adapter, timeout ${timeout}: the retry keeps the caller's validateStatus, so its 500 rejects as it would without the cache`, async function () {
          const api = axios.create({ adapter, baseURL: origin.url, timeout });
          attachCache(api);
          axiosRetry(api, { retries: 1, retryDelay: () => 0, retryCondition: (error) => error.response === undefined });
          const outcome = await outcomeOf(api.get('/reset-then-500'));
          expect(outcome).to.equal('rejected with 500');
          expect(origin.log.count('/reset-then-500')).to.equal(2);
        });
      }

      it(`${adapter} adapter: a caller's own validateStatus: undefined (every status resolves) survives the retry, so its 500 resolves as it would without the cache`, async function () {
        const api = axios.create({ adapter, baseURL: origin.url });
        attachCache(api);
        axiosRetry(api, { retries: 1, retryDelay: () => 0, retryCondition: (error) => error.response === undefined });
        // As a JavaScript caller writes it (axios' types leave it out).
        const acceptAll = { validateStatus: undefined } as unknown as AxiosRequestConfig;
        const outcome = await outcomeOf(api.get('/reset-then-500', acceptAll));
        expect(outcome).to.equal('resolved with 500');
        expect(origin.log.count('/reset-then-500')).to.equal(2);
      });

      it(`${adapter} adapter: a network error carries the caller's own config, with its validateStatus and without the headers the adapter adds`, async function () {
        const api = axios.create({ adapter, baseURL: origin.url });
        attachCache(api);
        const error: unknown = await api.get('/reset-then-500').then(() => undefined, (failure: unknown) => failure);
        expect(error).to.be.instanceOf(AxiosError);
        const config = (error as AxiosError).config;
        expect(config?.validateStatus).to.be.a('function');
        expect(config?.headers.has('accept-encoding')).to.equal(false);
      });
    }
  });
});
