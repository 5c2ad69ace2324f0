import { AxiosHeaders } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import { expect } from 'chai';
import { UrlParser, wireRequest } from '../../lib/axios/wire-request.js';

const IGNORED = new Set(['access_token', 'authorization', 'x-xsrf-token']);

function config(fields: Partial<InternalAxiosRequestConfig>): InternalAxiosRequestConfig {
  return { method: 'get', headers: new AxiosHeaders(), ...fields } as InternalAxiosRequestConfig;
}

describe('the wire request', () => {
  it('gives a request without params to a URL the key URL without a query, right after a request with params to the same URL', () => {
    const urls = new UrlParser(IGNORED);
    const withParams = urls.parse({ baseURL: 'http://api.test', url: '/p/', params: { a: [1] } });
    const without = urls.parse({ baseURL: 'http://api.test', url: '/p/' });
    expect([withParams.url, without.url]).to.deep.equal(['http://api.test/p/?a%5B%5D=1', 'http://api.test/p/']);
  });

  it('keys a URL object by its text at each request, however it changed since the last', () => {
    const urls = new UrlParser(IGNORED);
    const shared = new URL('http://api.test/users?id=1');
    const asUrl = (url: URL): string => url as unknown as string; // axios' adapters take a URL object too
    const keyed = [urls.parse({ url: asUrl(shared) }).url];
    shared.searchParams.set('id', '2');
    keyed.push(urls.parse({ url: asUrl(shared) }).url);
    urls.parse({ url: 'http://api.test/other' });
    shared.searchParams.set('id', '3');
    keyed.push(urls.parse({ url: asUrl(shared) }).url);
    expect(keyed).to.deep.equal(['http://api.test/users?id=1', 'http://api.test/users?id=2', 'http://api.test/users?id=3']);
  });

  it('takes credential query parameters out wherever they stand, matching their decoded lower-case names, and keeps the rest in order', () => {
    const urls = new UrlParser(IGNORED);
    expect(urls.parse({ url: 'http://api.test/a?x=1&access_token=s&y=2&Access%5Ftoken=t&&z' })).to.deep.equal({
      url: 'http://api.test/a?x=1&y=2&&z',
      userinfo: undefined,
      credentialParams: '?access_token=s\n?Access%5Ftoken=t\n',
    });
    expect(urls.parse({ url: 'http://api.test/a?access_token=s' }).url).to.equal('http://api.test/a');
    expect(urls.parse({ url: 'http://api.test/a?access+token=s&b' }).url).to.equal('http://api.test/a?access+token=s&b');
  });

  it('counts the Authorization axios makes from auth, replacing a header the caller set, as axios does', () => {
    const wire = wireRequest(config({ url: 'http://api.test/a', auth: { username: 'alice', password: 'pw' }, headers: new AxiosHeaders({ Authorization: 'Bearer other' }) }), new UrlParser(IGNORED), IGNORED);
    expect(wire.headers.get('authorization')).to.equal(`Basic ${btoa('alice:pw')}`);
    expect(wire.credentials).to.contain('authorization');
  });

  it('leaves userinfo out of the URL and counts it as the Authorization it becomes', () => {
    const wire = wireRequest(config({ url: 'http://alice:pw@api.test/a' }), new UrlParser(IGNORED), IGNORED);
    expect(wire.url).to.equal('http://api.test/a');
    expect(wire.headers.get('authorization')).to.equal(`Basic ${btoa('alice:pw')}`);
  });

  describe('in a browser', () => {
    const scope = globalThis as { document?: unknown; location?: unknown };
    let saved: { document: unknown; location: unknown };
    beforeEach(() => {
      saved = { document: scope.document, location: scope.location };
      scope.document = { cookie: 'theme=dark; XSRF-TOKEN=token-of-alice' };
      scope.location = { href: 'https://app.test/page', origin: 'https://app.test' };
    });
    afterEach(() => {
      scope.document = saved.document;
      scope.location = saved.location;
    });

    const xsrf = { xsrfCookieName: 'XSRF-TOKEN', xsrfHeaderName: 'X-XSRF-TOKEN' };

    it('counts the XSRF header axios copies from the cookie on a same-origin request as a credential', () => {
      const wire = wireRequest(config({ url: '/api/me', ...xsrf }), new UrlParser(IGNORED), IGNORED);
      expect(wire.url).to.equal('https://app.test/api/me');
      expect(wire.headers.get('x-xsrf-token')).to.equal('token-of-alice');
      expect(wire.credentials).to.contain('x-xsrf-token');
    });

    it('keys a relative URL by the page it is requested from: the same relative URL on two pages is two resources', () => {
      const urls = new UrlParser(IGNORED);
      const keyed: string[] = [];
      for (const page of ['https://app.test/a/', 'https://app.test/b/', 'https://app.test/a/']) {
        scope.location = { href: page, origin: 'https://app.test' };
        // Twice in a row (the request before was the same URL), then after another URL (the memo answers).
        keyed.push(urls.parse({ url: 'items' }).url, urls.parse({ url: 'items' }).url);
        urls.parse({ url: 'https://app.test/other' });
        keyed.push(urls.parse({ url: 'items' }).url);
      }
      expect(keyed).to.deep.equal([...Array(3).fill('https://app.test/a/items'), ...Array(3).fill('https://app.test/b/items'), ...Array(3).fill('https://app.test/a/items')]);
    });

    it('adds no XSRF header to a cross-origin request unless withXSRFToken says so', () => {
      const cross = wireRequest(config({ url: 'https://other.test/x', ...xsrf }), new UrlParser(IGNORED), IGNORED);
      const forced = wireRequest(config({ url: 'https://other.test/x', withXSRFToken: true, ...xsrf }), new UrlParser(IGNORED), IGNORED);
      expect(cross.headers.has('x-xsrf-token')).to.equal(false);
      expect(forced.headers.get('x-xsrf-token')).to.equal('token-of-alice');
    });
  });
});
