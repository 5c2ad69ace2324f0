// Review of the borrowed origin config (origin.ts, giveBack): axios-retry sends a network error's `error.config` again,
// which must still say what the caller asked for, `validateStatus: undefined` (every status resolves) included.
import axios from 'axios';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import axiosRetry from 'axios-retry';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ADAPTERS, startExpress, withoutNock, type RunningExpress } from '../support/real-http.js';

/** `validateStatus: undefined`, as a JavaScript caller writes it (axios then resolves every status; its types leave it out). */
const ACCEPT_ALL = { validateStatus: undefined } as unknown as AxiosRequestConfig;

function outcome(promise: Promise<AxiosResponse>): Promise<string> {
  return promise.then(
    (response) => `resolved with ${response.status}`,
    (error: unknown) => `rejected with ${String((error as { response?: { status?: number } }).response?.status)}`,
  );
}

describe('review: axios-retry after a network error keeps the caller validateStatus: undefined, real Express origin', function () {
  withoutNock();
  let origin: RunningExpress;

  beforeEach(async function () {
    origin = await startExpress();
    let calls = 0;
    origin.app.get('/reset-then-500', (req, res) => {
      calls += 1;
      if (calls === 1) req.socket.destroy();
      else res.status(500).json({ error: 'broken' });
    });
  });

  afterEach(async function () {
    await origin.close();
  });

  for (const adapter of ADAPTERS) {
    it(`${adapter} adapter: the retried 500 resolves, as it does without the cache, since the caller accepts every status`, async function () {
      const api = axios.create({ adapter, baseURL: origin.url });
      attachCache(api);
      axiosRetry(api, { retries: 1, retryDelay: () => 0, retryCondition: (error) => error.response === undefined });
      expect(await outcome(api.get('/reset-then-500', ACCEPT_ALL))).to.equal('resolved with 500');
      expect(origin.log.count('/reset-then-500')).to.equal(2);
    });
  }
});
