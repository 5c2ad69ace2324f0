import { AxiosHeaders } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import { applyCacheMode, toResponse } from '../../conformance/fetch-shim.js';

function axiosResponse(status: number, data: unknown, headers: Record<string, string> = {}): AxiosResponse<unknown> {
  return { status, statusText: '', data, headers: new AxiosHeaders(headers), config: { headers: new AxiosHeaders() } as InternalAxiosRequestConfig };
}

function entries(headers: Headers): Record<string, string> {
  const result: Record<string, string> = {};
  headers.forEach((value, name) => {
    result[name] = value;
  });
  return result;
}

describe('fetch shim over axios (conformance)', () => {
  it('maps fetch cache modes to per-request cache options when the axios cache is the fetch cache', () => {
    const headers = new Headers();
    expect(applyCacheMode('no-store', headers, 'cache-options')).to.equal(false);
    expect(applyCacheMode('reload', headers, 'cache-options')).to.deep.equal({ forceRefresh: true });
    expect(applyCacheMode('no-cache', headers, 'cache-options')).to.deep.equal({ refresh: true });
    expect(applyCacheMode('only-if-cached', headers, 'cache-options')).to.deep.equal({ onlyIfCached: true });
    expect(applyCacheMode('default', headers, 'cache-options')).to.equal(undefined);
    expect(entries(headers)).to.deep.equal({});
  });

  it('adds the request headers a fetch without an HTTP cache adds for no-store, unless the caller set them', () => {
    const bare = new Headers();
    applyCacheMode('no-store', bare, 'request-headers');
    expect(entries(bare)).to.deep.equal({ pragma: 'no-cache', 'cache-control': 'no-cache' });
    const own = new Headers({ 'cache-control': 'max-age=5' });
    applyCacheMode('reload', own, 'request-headers');
    expect(entries(own)).to.deep.equal({ pragma: 'no-cache', 'cache-control': 'max-age=5' });
  });

  it('treats a conditional request in the default mode as no-store, as fetch does', () => {
    const headers = new Headers({ 'if-none-match': '"a"' });
    applyCacheMode('default', headers, 'request-headers');
    expect(headers.get('cache-control')).to.equal('no-cache');
    const plain = new Headers();
    applyCacheMode('default', plain, 'request-headers');
    expect(plain.has('cache-control')).to.equal(false);
  });

  it('builds a Response with the axios status, headers and body bytes', async () => {
    const response = toResponse(axiosResponse(203, Buffer.from('hello'), { etag: '"x"', age: '4' }));
    expect(response.status).to.equal(203);
    expect(response.headers.get('etag')).to.equal('"x"');
    expect(response.headers.get('age')).to.equal('4');
    expect(await response.text()).to.equal('hello');
  });

  it('keeps statuses the Response constructor refuses (the suite origin answers 999) and drops bodies of 304s', async () => {
    expect(toResponse(axiosResponse(999, 'x')).status).to.equal(999);
    const notModified = toResponse(axiosResponse(304, ''));
    expect(notModified.status).to.equal(304);
    expect(await notModified.text()).to.equal('');
  });
});
