import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import axios from 'axios';
import { expect } from 'chai';
import { Readable } from 'node:stream';
import { attachCache, MemoryStore } from '../../lib/index.js';
import { cachedInstance, nock, ORIGIN, resetNock } from './helpers.js';

describe('attachCache: hits and misses', () => {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('answers the second identical GET from the cache without touching the network', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/users').query({ q: 'paris' }).once().reply(200, { n: 1 }, { 'cache-control': 'max-age=60' });
    const first = await api.get('/users', { params: { q: 'paris' } });
    const second = await api.get('/users?q=paris');
    expect(scope.isDone()).to.equal(true);
    expect(first.fromCache).to.equal(false);
    expect(first.cacheInfo?.status).to.equal('miss');
    expect(second.fromCache).to.equal(true);
    expect(second.cacheInfo?.status).to.equal('hit');
    expect(second.data).to.deep.equal({ n: 1 });
    expect(second.cacheInfo?.key).to.equal(first.cacheInfo?.key);
  });

  it('keys query parameters from params or the URL alike when they go out the same', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/s').query({ a: '1', b: '2' }).once().reply(200, 'x', { 'cache-control': 'max-age=60' });
    await api.get('/s?a=1&b=2');
    const hit = await api.get('/s', { params: { a: 1, b: 2 } });
    expect(hit.fromCache).to.equal(true);
  });

  it('keeps requests whose query differs on the wire apart: order, and axios\' own serialisation of arrays', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/s').query(true).times(4).reply(200, (uri) => uri, { 'cache-control': 'max-age=60' });
    const answers = [
      await api.get('/s?a=1&b=2'),
      await api.get('/s?b=2&a=1'),
      await api.get('/s', { params: { a: [1, 2] } }),
      await api.get('/s?a=1&a=2'),
    ];
    expect(answers.map((response) => response.fromCache)).to.deep.equal([false, false, false, false]);
    expect(answers[2]!.data).to.not.equal(answers[3]!.data);
  });

  it('sends the current Age of a cached response (RFC 9111 §5.1)', async () => {
    const { api, clock } = cachedInstance();
    nock(ORIGIN).get('/a').reply(200, 'x', { 'cache-control': 'max-age=600' });
    await api.get('/a');
    clock.advance(42_000);
    const hit = await api.get('/a');
    expect(hit.headers.age).to.equal('42');
  });

  it('gives every hit its own copy of the data, so mutating one response cannot change the next', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/obj').reply(200, { list: [1, 2], name: 'a' }, { 'cache-control': 'max-age=60' });
    const miss = await api.get<{ list: number[]; name: string }>('/obj');
    miss.data.list.push(99);
    const hit = await api.get<{ list: number[]; name: string }>('/obj');
    hit.data.name = 'changed';
    hit.data.list.length = 0;
    const again = await api.get<{ list: number[]; name: string }>('/obj');
    expect(again.data).to.deep.equal({ list: [1, 2], name: 'a' });
  });

  it('round-trips arraybuffer bodies byte for byte and hands out a private Buffer each time', async () => {
    const { api } = cachedInstance();
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff));
    nock(ORIGIN).get('/bin').reply(200, bytes, { 'cache-control': 'max-age=60', 'content-type': 'application/octet-stream' });
    await api.get('/bin', { responseType: 'arraybuffer' });
    const hit = await api.get<Buffer>('/bin', { responseType: 'arraybuffer' });
    expect(hit.fromCache).to.equal(true);
    expect(Buffer.isBuffer(hit.data)).to.equal(true);
    expect(Buffer.compare(hit.data, bytes)).to.equal(0);
    hit.data.fill(0);
    const again = await api.get<Buffer>('/bin', { responseType: 'arraybuffer' });
    expect(Buffer.compare(again.data, bytes)).to.equal(0);
  });

  it('round-trips text bodies with unicode exactly', async () => {
    const { api } = cachedInstance();
    const text = 'Grüße 世界 🌍 \u0000 end';
    nock(ORIGIN).get('/t').reply(200, text, { 'cache-control': 'max-age=60', 'content-type': 'text/plain; charset=utf-8' });
    await api.get('/t', { responseType: 'text' });
    const hit = await api.get<string>('/t', { responseType: 'text' });
    expect(hit.fromCache).to.equal(true);
    expect(hit.data).to.equal(text);
  });

  it('stores a responseType stream body once read whole, and answers the next stream request with a stream of it', async () => {
    const { api, cache } = cachedInstance();
    const scope = nock(ORIGIN).get('/stream').once().reply(200, 'abc', { 'cache-control': 'max-age=60' });
    const stored = new Promise<void>((resolve) => cache.on('stored', () => resolve()));
    const first = await api.get('/stream', { responseType: 'stream' });
    expect(first.cacheInfo?.status).to.equal('miss');
    expect(Buffer.concat(await (first.data as Readable).toArray()).toString()).to.equal('abc');
    await stored;
    const second = await api.get('/stream', { responseType: 'stream' });
    expect(second.cacheInfo?.status).to.equal('hit');
    expect(Buffer.concat(await (second.data as Readable).toArray()).toString()).to.equal('abc');
    expect(scope.isDone()).to.equal(true);
  });

  it('neither reads nor writes the cache for a request with cache: false', async () => {
    const { api } = cachedInstance();
    const scope = nock(ORIGIN).get('/x').times(3).reply(200, 'x', { 'cache-control': 'max-age=60' });
    const bypassed = await api.get('/x', { cache: false });
    expect(bypassed.cacheInfo?.status).to.equal('bypass');
    await api.get('/x'); // stored now
    const again = await api.get('/x', { cache: false });
    expect(again.fromCache).to.equal(false);
    expect(scope.pendingMocks()).to.have.length(0);
  });

  it('takes request defaults from axios.create({ cache }) and lets a request override them', async () => {
    const { api } = cachedInstance();
    api.defaults.cache = { ttl: 60_000 };
    const scope = nock(ORIGIN).get('/d').twice().reply(200, 'x');
    await api.get('/d');
    expect((await api.get('/d')).fromCache).to.equal(true);
    expect((await api.get('/d', { cache: false })).fromCache).to.equal(false);
    expect(scope.isDone()).to.equal(true);
  });

  it('stops caching after detach()', async () => {
    const { api, cache } = cachedInstance();
    const scope = nock(ORIGIN).get('/z').times(2).reply(200, 'x', { 'cache-control': 'max-age=60' });
    await api.get('/z');
    cache.detach();
    const after = await api.get('/z');
    expect(after.fromCache).to.equal(undefined);
    expect(scope.isDone()).to.equal(true);
  });

  it('restores the instance\'s own adapter on detach()', () => {
    const { api, cache } = cachedInstance();
    const before = ['xhr', 'http', 'fetch'];
    expect(api.defaults.adapter).not.to.deep.equal(before);
    cache.detach();
    expect(api.defaults.adapter).to.deep.equal(before);
  });

  it('caches through an adapter given per request and one set on the instance after attaching', async () => {
    const { api } = cachedInstance();
    let calls = 0;
    const mock = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      calls += 1;
      return Promise.resolve({ data: '"mocked"', status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
    };
    await api.get('/per-request', { adapter: mock });
    const hit = await api.get('/per-request', { adapter: mock });
    api.defaults.adapter = mock;
    await api.get('/instance');
    const instanceHit = await api.get('/instance');
    expect([hit.fromCache, instanceHit.fromCache, instanceHit.data, calls]).to.deep.equal([true, true, 'mocked', 2]);
  });

  it("sends each miss through the fetch its own config's env names, whichever fetch the request before it used", async () => {
    const api = axios.create({ baseURL: ORIGIN, adapter: 'fetch' });
    attachCache(api, { store: new MemoryStore() });
    const answering = (body: string) => (): Promise<Response> => Promise.resolve(new Response(body, { headers: { 'cache-control': 'max-age=60', 'content-type': 'text/plain' } }));
    const first = await api.get<string>('/one', { env: { fetch: answering('first fetch') } });
    const second = await api.get<string>('/two', { env: { fetch: answering('second fetch') } });
    const again = await api.get<string>('/three', { env: { fetch: answering('first fetch, again') } });
    expect([first.data, second.data, again.data]).to.deep.equal(['first fetch', 'second fetch', 'first fetch, again']);
  });

  it('gives an instance derived with create() and a cache of its own a separate cache, never a cache stacked on its parent\'s', async () => {
    let calls = 0;
    const origin = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      calls += 1;
      return Promise.resolve({ data: `"v${calls}"`, status: 200, statusText: 'OK', headers: { 'cache-control': 'max-age=60' }, config, request: {} });
    };
    const parent = axios.create({ adapter: origin });
    const parentStore = new MemoryStore();
    attachCache(parent, { store: parentStore });
    const child = parent.create();
    const childStore = new MemoryStore();
    attachCache(child, { store: childStore });
    await child.get('http://x.test/c');
    const hit = await child.get('http://x.test/c');
    expect([hit.fromCache, calls]).to.deep.equal([true, 1]);
    expect(await childStore.count()).to.equal(1);
    expect(await parentStore.count()).to.equal(0);
  });

  it('does not cache a HEAD answer as the GET answer', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).head('/h').reply(200, '', { 'cache-control': 'max-age=60' });
    const scope = nock(ORIGIN).get('/h').reply(200, 'body', { 'cache-control': 'max-age=60' });
    await api.head('/h');
    const get = await api.get('/h');
    expect(get.fromCache).to.equal(false);
    expect(get.data).to.equal('body');
    expect(scope.isDone()).to.equal(true);
  });

  it('rejects a cached 404 exactly as axios rejects a network 404, marked as a hit', async () => {
    const { api } = cachedInstance();
    nock(ORIGIN).get('/missing').once().reply(404, { error: 'nope' }, { 'cache-control': 'max-age=60' });
    const first = await api.get('/missing').catch((error: unknown) => error as { response: { status: number; fromCache: boolean } });
    const second = await api.get('/missing').catch((error: unknown) => error as { response: { status: number; fromCache: boolean; data: unknown } });
    expect(first).to.have.nested.property('response.status', 404);
    expect(second).to.have.nested.property('response.fromCache', true);
    expect(second).to.have.nested.property('response.data.error', 'nope');
  });
});
