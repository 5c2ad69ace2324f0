import axios from 'axios';
import { expect } from 'chai';
import { attachCache, detachCache } from '../../lib/index.js';
import { FakeClock, nock, ORIGIN, resetNock } from './helpers.js';

const FRESH = { 'cache-control': 'max-age=60' };

describe('instances derived with create() from a cached default axios instance', () => {
  const originalAdapter = axios.defaults.adapter;
  const originalRequestHandlers = (axios.interceptors.request as unknown as { handlers: unknown[] }).handlers.length;

  beforeEach(resetNock);
  afterEach(() => {
    nock.cleanAll();
    // The global axios instance is shared by every test file: leave it exactly as it was.
    detachCache(axios);
    if (originalAdapter === undefined) delete axios.defaults.adapter;
    else axios.defaults.adapter = originalAdapter;
  });
  after(() => {
    expect(axios.defaults.adapter).to.equal(originalAdapter);
    const handlers = (axios.interceptors.request as unknown as { handlers: Array<unknown> }).handlers;
    expect(handlers.filter((handler) => handler !== null).length).to.equal(originalRequestHandlers);
  });

  it('share the parent\'s cache while it is attached: a child answers from what the parent stored, and counts there', async () => {
    const clock = new FakeClock();
    const cache = attachCache(axios, { now: clock.now });
    const child = axios.create();
    const scope = nock(ORIGIN).get('/shared').once().reply(200, { n: 1 }, FRESH);
    await axios.get(`${ORIGIN}/shared`);
    const hit = await child.get(`${ORIGIN}/shared`);
    expect(scope.isDone()).to.equal(true);
    expect(hit.fromCache).to.equal(true);
    expect(hit.cacheInfo?.status).to.equal('hit');
    expect(cache.stats()).to.include({ hits: 1, misses: 1 });
  });

  it('pass straight through to the network once the parent is detached, with no cacheInfo', async () => {
    attachCache(axios);
    const child = axios.create();
    nock(ORIGIN).get('/after').twice().reply(200, { n: 1 }, FRESH);
    await child.get(`${ORIGIN}/after`);
    detachCache(axios);
    const response = await child.get(`${ORIGIN}/after`);
    expect(response.fromCache).to.equal(undefined);
    expect(response.cacheInfo).to.equal(undefined);
    expect(nock.isDone()).to.equal(true);
    expect(axios.defaults.adapter).to.equal(originalAdapter);
  });

  it('become plain with detachCache(child) while the parent keeps its cache', async () => {
    attachCache(axios);
    const child = axios.create();
    nock(ORIGIN).get('/plain').times(3).reply(200, { n: 1 }, FRESH);
    await axios.get(`${ORIGIN}/plain`);
    detachCache(child);
    const first = await child.get(`${ORIGIN}/plain`);
    const second = await child.get(`${ORIGIN}/plain`);
    expect([first.cacheInfo, second.cacheInfo]).to.deep.equal([undefined, undefined]);
    expect((await axios.get(`${ORIGIN}/plain`)).fromCache).to.equal(true);
    // One call for the parent's miss, one for each of the child's requests.
    expect(nock.isDone()).to.equal(true);
  });

  it('can have a cache of their own, and are plain after detaching it', async () => {
    const parent = attachCache(axios);
    const child = axios.create();
    const own = attachCache(child);
    nock(ORIGIN).get('/own').times(3).reply(200, { n: 1 }, FRESH);
    await child.get(`${ORIGIN}/own`);
    expect((await child.get(`${ORIGIN}/own`)).fromCache).to.equal(true);
    expect(own.stats().hits).to.equal(1);
    expect(parent.stats().misses).to.equal(0);
    detachCache(child);
    const after = await child.get(`${ORIGIN}/own`);
    expect(after.cacheInfo).to.equal(undefined);
    // Nothing of the parent's cache either: the parent has not seen any of this.
    expect(parent.stats()).to.include({ hits: 0, misses: 0 });
  });

  it('created after the parent is detached are plain', async () => {
    attachCache(axios);
    detachCache(axios);
    const child = axios.create();
    expect(child.defaults.adapter).to.deep.equal(originalAdapter);
    nock(ORIGIN).get('/later').reply(200, 'x', FRESH);
    expect((await child.get(`${ORIGIN}/later`)).cacheInfo).to.equal(undefined);
  });
});
