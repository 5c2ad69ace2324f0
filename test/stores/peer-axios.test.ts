import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
// The low end of the peer range (axios ^1.19.0), installed beside the newest axios as a second copy.
import axios119 from 'axios119';
import type { AxiosResponse } from 'axios';
import { attachCache, MemoryStore } from '../../lib/index.js';
import { withoutNock } from '../support/real-http.js';

// The cache imports axios from 'axios' (the newest here) for its adapters and helpers; what these tests check is
// that an instance made by axios 1.19, the oldest version the peer range allows, takes the cache end to end.
// `as never`: the types of two axios copies are not interchangeable (where axios 1.19 is the one installed, they
// are one and the same); the behaviour is what is under test.
describe('attachCache on an instance made by axios 1.19 (the low end of the peer range)', function () {
  withoutNock();
  let origin: Server;
  let baseURL: string;
  const served = new Map<string, number>();

  before(async function () {
    origin = createServer((request, response) => {
      const path = request.url ?? '';
      served.set(path, (served.get(path) ?? 0) + 1);
      if (path.startsWith('/missing')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ missing: path }));
        return;
      }
      response.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'application/json', 'x-origin': 'yes' });
      response.end(JSON.stringify({ path, served: served.get(path) }));
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  });

  after(async function () {
    await new Promise((resolve) => origin.close(resolve));
  });

  it('is really axios 1.19', function () {
    expect(axios119.VERSION).to.match(/^1\.19\./);
  });

  it('misses, then hits, with the same body and headers', async function () {
    const api = axios119.create({ baseURL });
    attachCache(api as never, { store: new MemoryStore() });
    // Seen through this package's AxiosResponse (the one its augmentation adds cacheInfo and fromCache to).
    const first: AxiosResponse<{ path: string; served: number }> = await api.get('/data');
    const second: AxiosResponse<{ path: string; served: number }> = await api.get('/data');
    expect([first.cacheInfo?.status, second.cacheInfo?.status]).to.deep.equal(['miss', 'hit']);
    expect(second.fromCache).to.equal(true);
    expect(second.data).to.deep.equal({ path: '/data', served: 1 });
    expect(second.headers['x-origin']).to.equal('yes');
    expect(served.get('/data')).to.equal(1);
  });

  it('runs the instance\'s own interceptors on hits and misses alike', async function () {
    const api = axios119.create({ baseURL });
    const seen: string[] = [];
    api.interceptors.request.use((config) => {
      config.headers.set('x-from-interceptor', '1');
      return config;
    });
    api.interceptors.response.use((response) => {
      seen.push((response as AxiosResponse).cacheInfo?.status ?? 'none');
      return response;
    });
    attachCache(api as never, { store: new MemoryStore() });
    await api.get('/intercepted');
    await api.get('/intercepted');
    expect(seen).to.deep.equal(['miss', 'hit']);
  });

  it('rejects a 404 with an error that axios 1.19 recognises as an AxiosError', async function () {
    const api = axios119.create({ baseURL });
    attachCache(api as never, { store: new MemoryStore() });
    const error = await api.get('/missing').then(() => undefined, (reason: unknown) => reason);
    expect(axios119.isAxiosError(error)).to.equal(true);
    expect(axios119.isAxiosError(error) ? error.response?.status : undefined).to.equal(404);
  });
});
