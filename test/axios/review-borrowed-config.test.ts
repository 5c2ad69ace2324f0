// Review of the borrowed origin config (origin.ts, originConfig / giveBack) and of the origin error that names the
// caller's own config (fetchFromOrigin, case 'error'): what the caller's config holds once the origin has answered.
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { expect } from 'chai';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

/** `validateStatus: undefined`, as a JavaScript caller writes it (axios then resolves every status; its types leave it out). */
const ACCEPT_ALL = { validateStatus: undefined } as unknown as AxiosRequestConfig;

function outcome(promise: Promise<AxiosResponse>): Promise<string> {
  return promise.then(
    (response) => `resolved with ${response.status}`,
    (error: unknown) => `rejected with ${String((error as { response?: { status?: number } }).response?.status)}`,
  );
}

describe('review: the borrowed origin config is given back as it was', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it("keeps a caller's own validateStatus: undefined on response.config, so sending that config again still accepts a 404", async () => {
    // Without the cache, axios keeps `validateStatus: undefined` as an own field of the config (every status resolves),
    // and a config sent again keeps it.
    nock(ORIGIN).get('/gone').times(2).reply(404, 'gone');
    const { api } = cachedInstance();
    const first = await api.get('/gone', ACCEPT_ALL);
    expect(first.status).to.equal(404);
    expect(Object.prototype.hasOwnProperty.call(first.config, 'validateStatus')).to.equal(true);
    expect(await outcome(api.request(first.config))).to.equal('resolved with 404');
  });
});
