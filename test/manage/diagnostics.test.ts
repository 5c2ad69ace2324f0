import axios from 'axios';
import { expect } from 'chai';
import diagnostics from 'node:diagnostics_channel';
import { CacheEvents } from '../../lib/axios/events.js';
import type { CacheEventMap } from '../../lib/index.js';
import { attachCache, MemoryStore, subscribeDiagnostics } from '../../lib/index.js';
import { nock, ORIGIN, resetNock, serve } from './helpers.js';

describe('diagnostics_channel publishing', function () {
  beforeEach(resetNock);
  afterEach(() => nock.cleanAll());

  it('publishes hit, miss and stored on axios-http-cache:* channels with the event payload', async () => {
    const api = axios.create({ baseURL: ORIGIN });
    attachCache(api, { store: new MemoryStore() });
    const received: Array<[string, unknown]> = [];
    const subscribers = ['hit', 'miss', 'stored'].map((event) => {
      const name = `axios-http-cache:${event}`;
      const onMessage = (message: unknown): void => {
        received.push([event, message]);
      };
      diagnostics.subscribe(name, onMessage);
      return () => diagnostics.unsubscribe(name, onMessage);
    });
    try {
      serve('/traced');
      await api.get('/traced');
      await api.get('/traced');
    } finally {
      for (const unsubscribe of subscribers) unsubscribe();
    }
    expect(received.map(([event]) => event)).to.deep.equal(['miss', 'stored', 'hit']);
    const hit: CacheEventMap['hit'] = { key: `GET ${ORIGIN}/traced`, url: `${ORIGIN}/traced`, method: 'GET' };
    expect(received[2]?.[1]).to.deep.equal(hit);
  });

  it('publishes nothing once the subscriber has gone, and reports no interest without subscribers', () => {
    const events = new CacheEvents(() => undefined);
    expect(events.has('bypass')).to.equal(false);
    const received: unknown[] = [];
    const onMessage = (message: unknown): void => {
      received.push(message);
    };
    diagnostics.subscribe('axios-http-cache:bypass', onMessage);
    expect(events.has('bypass')).to.equal(true);
    events.emit('bypass', { key: undefined, url: 'http://a.test/', method: 'GET', reason: 'first' });
    diagnostics.unsubscribe('axios-http-cache:bypass', onMessage);
    expect(events.has('bypass')).to.equal(false);
    events.emit('bypass', { key: undefined, url: 'http://a.test/', method: 'GET', reason: 'second' });
    expect(received).to.deep.equal([{ key: undefined, url: 'http://a.test/', method: 'GET', reason: 'first' }]);
  });

  it('delivers typed messages to subscribeDiagnostics() listeners until they unsubscribe', async () => {
    const api = axios.create({ baseURL: ORIGIN });
    attachCache(api, { store: new MemoryStore() });
    const misses: Array<CacheEventMap['miss']> = [];
    const channels: string[] = [];
    const stop = subscribeDiagnostics('miss', (message, channel) => {
      misses.push(message);
      channels.push(channel);
    });
    try {
      serve('/subscribed');
      await api.get('/subscribed');
    } finally {
      stop();
    }
    serve('/after');
    await api.get('/after');
    expect(misses).to.deep.equal([{ key: `GET ${ORIGIN}/subscribed`, url: `${ORIGIN}/subscribed`, method: 'GET', reason: 'no usable entry' }]);
    expect(channels).to.deep.equal(['axios-http-cache:miss']);
    stop();
  });

  it('refuses an unknown event name in subscribeDiagnostics(), listing the known ones', () => {
    expect(() => subscribeDiagnostics('hits' as 'hit', () => undefined)).to.throw(TypeError, /^axios-http-cache: subscribeDiagnostics\(\) got the unknown event "hits"; use one of 'hit', 'miss', /);
  });
});
