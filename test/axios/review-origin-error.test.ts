// Review of "an origin error names the caller's own config" (fetchFromOrigin, case 'error'): an AxiosError made by
// another copy of axios (the adapter of another axios install, or of its CommonJS build beside the ESM one) is an
// AxiosError all the same (`isAxiosError`), but not an instance of this copy's class.
import axios from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import axios119 from 'axios119';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { ORIGIN } from './helpers.js';

describe('review: an origin error from another copy of axios names the caller its own config', () => {
  it("gives a caller with a timeout an error whose config is its own (its validateStatus, its timeout), not the origin call's copy", async () => {
    const seen: InternalAxiosRequestConfig[] = [];
    // An adapter of another axios copy: its network errors are that copy's AxiosError.
    const foreignAdapter = (config: InternalAxiosRequestConfig): Promise<never> => {
      seen.push(config);
      return Promise.reject(new axios119.AxiosError('socket hang up', 'ECONNRESET', config as never));
    };
    const api = axios.create({ baseURL: ORIGIN, adapter: foreignAdapter, timeout: 5000 });
    attachCache(api);
    const error = (await api.get('/reset').then(() => undefined, (failure: unknown) => failure)) as { isAxiosError?: boolean; config?: InternalAxiosRequestConfig };
    expect(error.isAxiosError).to.equal(true);
    expect(seen).to.have.length(1);
    // The origin call ran on a copy (validateStatus null, timeout 0): the caller must not be handed that copy.
    expect(error.config?.validateStatus).to.be.a('function');
    expect(error.config?.timeout).to.equal(5000);
  });
});
