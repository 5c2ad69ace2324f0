/**
 * De-duplication against a real node:http origin that holds its answer until the test releases it: callers
 * that share one origin call (a leader and its followers) each get the answer their own config asks for, as
 * if each had made the call alone: their own validateStatus, timeout and responseType.
 */
import axios, { AxiosError } from 'axios';
import type { AxiosInstance } from 'axios';
import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import { attachCache } from '../../lib/index.js';
import { startNodeHttp, withoutNock, type RunningHttp } from '../support/real-http.js';

describe('de-duplication: followers get answers shaped by their own config', function () {
  withoutNock();
  let origin: RunningHttp;
  let held: ServerResponse[] = [];
  let arrived: (() => void) | undefined;

  /** Resolves once the origin holds a request. */
  function requestArrives(): Promise<void> {
    if (held.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      arrived = resolve;
    });
  }

  /** Answers every held request, and from now on every request at once. */
  function release(status: number, body: string, headers: Record<string, string> = {}): void {
    answer = (res) => {
      res.writeHead(status, { 'content-type': 'text/plain', 'cache-control': 'max-age=60', ...headers });
      res.end(body);
    };
    for (const res of held.splice(0)) answer(res);
  }
  let answer: ((res: ServerResponse) => void) | undefined;

  beforeEach(async function () {
    held = [];
    answer = undefined;
    origin = await startNodeHttp((_req, res) => {
      if (answer) {
        answer(res);
        return;
      }
      held.push(res);
      arrived?.();
      arrived = undefined;
    });
  });
  afterEach(async function () {
    release(503, 'test over');
    await origin.close();
  });

  function api(): AxiosInstance {
    const instance = axios.create({ baseURL: origin.url });
    attachCache(instance, { dedupe: true });
    return instance;
  }

  it('rejects a follower with the default validateStatus on a 404 while a leader that accepts every status resolves', async function () {
    const client = api();
    const leader = client.get('/missing', { validateStatus: () => true });
    await requestArrives();
    const follower = client.get('/missing').then(
      () => undefined,
      (error: unknown) => error,
    );
    release(404, 'not here', { 'cache-control': 'no-store' });
    const [led, followed] = await Promise.all([leader, follower]);
    expect(led.status).to.equal(404);
    expect(followed).to.be.instanceOf(AxiosError);
    expect((followed as AxiosError).response?.status).to.equal(404);
    expect(origin.log.count('/missing')).to.equal(1);
  });

  it('resolves a follower that accepts every status on a 404 while a leader with the default validateStatus rejects', async function () {
    const client = api();
    const leader = client.get('/missing').then(
      () => undefined,
      (error: unknown) => error,
    );
    await requestArrives();
    const follower = client.get('/missing', { validateStatus: () => true });
    release(404, 'not here', { 'cache-control': 'no-store' });
    const [led, followed] = await Promise.all([leader, follower]);
    expect((led as AxiosError).response?.status).to.equal(404);
    expect(followed.status).to.equal(404);
    expect(origin.log.count('/missing')).to.equal(1);
  });

  it('ends a follower\'s wait at its own timeout with axios\' ECONNABORTED while the origin has not answered, and the leader still gets the answer', async function () {
    const client = api();
    const leader = client.get('/slow');
    await requestArrives();
    const timedOut = await client.get('/slow', { timeout: 100 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // The origin still holds the request: the follower gave up on its own.
    expect(held).to.have.length(1);
    expect(timedOut).to.be.instanceOf(AxiosError);
    expect((timedOut as AxiosError).code).to.equal('ECONNABORTED');
    expect((timedOut as AxiosError).message).to.equal('timeout of 100ms exceeded');
    release(200, 'late but fine');
    expect((await leader).data).to.equal('late but fine');
    expect(origin.log.count('/slow')).to.equal(1);
  });

  it('gives a follower that asks for an arraybuffer bytes, never the leader\'s string', async function () {
    const client = api();
    const leader = client.get('/shape');
    await requestArrives();
    const follower = client.get<ArrayBuffer>('/shape', { responseType: 'arraybuffer' });
    // Let the follower reach the cache before the answer comes back.
    await new Promise((resolve) => setImmediate(resolve));
    release(200, 'hello');
    const [led, followed] = await Promise.all([leader, follower]);
    expect(led.data).to.equal('hello');
    expect(typeof followed.data).to.not.equal('string');
    expect(Buffer.from(followed.data).toString('utf8')).to.equal('hello');
  });

  it('gives a follower that asks for text a string when the leader asked for an arraybuffer', async function () {
    const client = api();
    const leader = client.get<ArrayBuffer>('/shape', { responseType: 'arraybuffer' });
    await requestArrives();
    const follower = client.get('/shape');
    await new Promise((resolve) => setImmediate(resolve));
    release(200, 'hello');
    const [led, followed] = await Promise.all([leader, follower]);
    expect(Buffer.from(led.data).toString('utf8')).to.equal('hello');
    expect(followed.data).to.equal('hello');
  });
});
